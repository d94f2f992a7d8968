import Synchronization

/// Which batches of a products feed are looked up by fingerprint. A lookup only saves work when rows
/// are found: after a batch with none found (a new partner's first feed, a feed of new SKUs) only
/// every `probeEvery`-th batch is looked up, until one finds rows again. Skipping a lookup never
/// changes a count: rows not recognised are read and compared in full.
final class FingerprintLookups: Sendable {
    private let batchesSinceMiss = Mutex<Int?>(nil)
    let probeEvery: Int

    init(probeEvery: Int = 8) {
        self.probeEvery = probeEvery
    }

    func shouldLookUp() -> Bool {
        batchesSinceMiss.withLock { since in
            guard let count = since else { return true }
            since = count + 1
            return (count + 1) % probeEvery == 0
        }
    }

    func record(found: Bool) {
        batchesSinceMiss.withLock { since in
            if found { since = nil } else if since == nil { since = 0 }
        }
    }
}
