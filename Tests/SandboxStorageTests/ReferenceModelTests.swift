import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// Differential test: random appends (with truncations), compactions and hard states go to both
/// the RocksDB store and Raft's own `MemoryLogStorage`; after every step, and across reopens,
/// both must answer every read the same way.
@Suite struct ReferenceModelTests {
    let directory = TemporaryDirectory("reference")

    @Test(arguments: [UInt64(1), 2, 3])
    func logStoreAnswersLikeRaftsMemoryStorage(seed: UInt64) throws {
        var random = TestRandom(seed: seed)
        let reference = MemoryLogStorage()
        var storage = try openStorage(directory.path)
        defer { storage.close() }
        var term: UInt64 = 1
        var applied: UInt64 = 0
        for step in 0..<300 {
            let last = try reference.lastIndex()
            let first = try reference.firstIndex()
            switch random.below(10) {
            case 0..<6:
                // Append at the end, or overwrite a suffix with a higher term.
                var start = last + 1
                if random.below(4) == 0, last >= first {
                    start = first + random.below(last - first + 1)
                    term += 1
                }
                let entries = makeEntries(start...(start + random.below(8)), term: term)
                try reference.append(entries)
                try storage.log.append(entries)
            case 6:
                guard last >= first else { continue }
                let index = first + random.below(last - first + 1)
                if index > applied {
                    try storage.state.apply(StateBatch(), appliedIndex: index)
                    try reference.setAppliedIndex(index)
                    applied = index
                }
                try reference.compact(upTo: index)
                try storage.log.compact(upTo: index)
            case 7:
                let hardState = HardState(term: term, vote: random.below(4), commit: 0)
                try reference.setHardState(hardState)
                try storage.log.setHardState(hardState)
            case 8:
                let conf = ConfState(voters: (1...(1 + random.below(4))).map { $0 })
                try reference.setConfState(conf)
                try storage.log.setConfState(conf)
            default:
                storage.close()
                storage = try openStorage(directory.path)
            }
            try expectSameAnswers(storage.log, reference, step: step, random: &random)
        }
    }

    private func expectSameAnswers(
        _ store: RaftLogStore, _ reference: MemoryLogStorage, step: Int, random: inout TestRandom
    ) throws {
        let first = try reference.firstIndex()
        let last = try reference.lastIndex()
        #expect(try store.firstIndex() == first, "step \(step)")
        #expect(try store.lastIndex() == last, "step \(step)")
        let (hardState, conf) = try reference.initialState()
        #expect(try store.initialState() == (hardState, conf), "step \(step)")
        for index in (first - 1)...last {
            #expect(try store.term(at: index) == reference.term(at: index), "term at \(index), step \(step)")
        }
        if first > 1 {
            #expect(throws: RaftStorageError.compacted) { try store.term(at: first - 2) }
            #expect(throws: RaftStorageError.compacted) {
                try store.entries(from: first - 1, to: last + 1, maxBytes: .max)
            }
        }
        #expect(throws: RaftStorageError.unavailable) { try store.term(at: last + 1) }
        guard last >= first else { return }
        let low = first + random.below(last - first + 1)
        let high = low + random.below(last - low + 2)
        let maxBytes = Int(random.below(600))
        #expect(
            try store.entries(from: low, to: high, maxBytes: maxBytes)
                == reference.entries(from: low, to: high, maxBytes: maxBytes),
            "entries \(low)..<\(high) max \(maxBytes), step \(step)")
    }
}
