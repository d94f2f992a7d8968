@testable import CatalogCore
import Testing

@Suite struct FingerprintLookupsTests {
    /// Which of `outcomes.count` batches are looked up, when batch i finds rows iff outcomes[i].
    func lookedUp(_ outcomes: [Bool], probeEvery: Int = 4) -> [Int] {
        let lookups = FingerprintLookups(probeEvery: probeEvery)
        var batches: [Int] = []
        for (index, found) in outcomes.enumerated() where lookups.shouldLookUp() {
            batches.append(index)
            lookups.record(found: found)
        }
        return batches
    }

    @Test func everyBatchWhileRowsAreFound() {
        #expect(lookedUp(Array(repeating: true, count: 10)) == Array(0..<10))
    }

    @Test func probesAfterAMissAndResumesOnAFind() {
        #expect(lookedUp(Array(repeating: false, count: 13)) == [0, 4, 8, 12])
        // Rows found again at the probe of batch 4: every batch from there.
        #expect(lookedUp([false, false, false, false, true, true, true, true]) == [0, 4, 5, 6, 7])
    }
}
