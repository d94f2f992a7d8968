/// Walks the product change feed from a token: `GET /products/changes`, the live streams' backlog,
/// and every node's read model read it this way. Walking from any token never misses or repeats a
/// committed change: batches only ever gain later positions, and a product only leaves a batch for a
/// later one.
public struct ChangeFeedReader: Sendable {
    let log: any ProductChangeLog
    static let batchesPerRead = 32

    public init(log: any ProductChangeLog) {
        self.log = log
    }

    /// At most `limit` changes after `token`, and the token to read on from.
    public func read(after token: ChangeToken, partnerName: String?, limit: Int) async throws -> (changes: [ProductChange], next: ChangeToken) {
        var changes: [ProductChange] = []
        var next = token
        try await walk(after: token, partnerName: partnerName) { batch, afterSeq in
            var after = afterSeq
            while changes.count < limit {
                let wanted = limit - changes.count
                let products = try await log.changedProducts(batchID: batch.batchID, afterSeq: after, limit: wanted)
                for product in products {
                    let change = ProductChange(token: ChangeToken(position: batch.position, seq: product.seq), product: product)
                    changes.append(change)
                    next = change.token
                }
                guard products.count == wanted, let last = products.last else {
                    next = .after(batch: batch.position)
                    return true
                }
                after = last.seq
            }
            return false
        }
        return (changes, next)
    }

    /// Calls `body` with each batch after `token` in position order and the `seq` to read it after,
    /// until `body` returns false or no batch is left.
    public func walk(
        after token: ChangeToken, partnerName: String?, _ body: (ChangeBatch, Int64) async throws -> Bool
    ) async throws {
        // A token at a batch's end reads on from the next batch; one inside a batch re-reads its rest.
        var from = token.seq == .max ? token.position + 1 : token.position
        while true {
            let batches = try await log.changeBatches(from: from, partnerName: partnerName, limit: Self.batchesPerRead)
            for batch in batches {
                let afterSeq = batch.position == token.position ? token.seq : 0
                guard try await body(batch, afterSeq) else { return }
            }
            guard let last = batches.last, batches.count == Self.batchesPerRead else { return }
            from = last.position + 1
        }
    }
}
