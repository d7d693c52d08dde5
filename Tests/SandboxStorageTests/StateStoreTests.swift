import Raft
import TestSupport
import Testing

@testable import SandboxStorage

@Suite struct StateStoreTests {
    let directory = TemporaryDirectory("state")

    @Test func putGetDeleteAndReopen() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.state.put([UInt8]("a"), [UInt8]("1"))
            try storage.state.put([UInt8]("b"), [])
            try storage.state.put([UInt8]("c"), [UInt8]("3"))
            try storage.state.delete([UInt8]("c"))
            #expect(try storage.state.get([UInt8]("a")) == [UInt8]("1"))
            #expect(try storage.state.get([UInt8]("b")) == [])
            #expect(try storage.state.get([UInt8]("c")) == nil)
            #expect(storage.state.appliedIndex() == 0)
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.state.get([UInt8]("a")) == [UInt8]("1"))
        #expect(try storage.state.get([UInt8]("b")) == [])
        #expect(try storage.state.get([UInt8]("c")) == nil)
        // The empty key is a key like any other.
        try storage.state.put([], [UInt8]("empty"))
        #expect(try storage.state.get([]) == [UInt8]("empty"))
    }

    @Test func applyWritesEffectsAndAppliedIndexTogetherAndRefusesReplays() throws {
        do {
            let storage = try openStorage(directory.path)
            var batch = StateBatch()
            batch.put([UInt8]("x"), [UInt8]("1"))
            batch.put([UInt8]("y"), [UInt8]("2"))
            try storage.state.apply(batch, appliedIndex: 5)
            var second = StateBatch()
            second.delete([UInt8]("x"))
            second.put([UInt8]("z"), [UInt8]("3"))
            try storage.state.apply(second, appliedIndex: 7, confState: ConfState(voters: [1, 2]))
            // Entry 7 again (a replay after a crash): refused, nothing written.
            var replay = StateBatch()
            replay.put([UInt8]("z"), [UInt8]("replayed"))
            #expect(throws: RaftStorageError.appliedIndexRegression(current: 7, offered: 7)) {
                try storage.state.apply(replay, appliedIndex: 7)
            }
            #expect(try storage.state.get([UInt8]("z")) == [UInt8]("3"))
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(storage.state.appliedIndex() == 7)
        #expect(try storage.state.get([UInt8]("x")) == nil)
        #expect(try storage.state.get([UInt8]("y")) == [UInt8]("2"))
        #expect(try storage.state.get([UInt8]("z")) == [UInt8]("3"))
        #expect(try storage.log.initialState().1 == ConfState(voters: [1, 2]))
    }

    @Test func prefixScanPagesInKeyOrder() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        var batch = StateBatch()
        for number in 0..<25 { batch.put([UInt8]("user/\(1000 + number)"), [UInt8]("\(number)")) }
        batch.put([UInt8]("users"), [UInt8]("not in the prefix"))
        batch.put([UInt8]("user"), [UInt8]("not in the prefix either"))
        batch.put([UInt8]("policy/1"), [UInt8]("other"))
        batch.put([0xFF, 0xFF], [UInt8]("top"))
        try storage.state.apply(batch, appliedIndex: 1)
        var keys: [String] = []
        var after: [UInt8]?
        var pages = 0
        while pages < 10 {
            let page = try storage.state.scan(prefix: [UInt8]("user/"), startingAfter: after, limit: 10)
            pages += 1
            keys += page.map { String(decoding: $0.key, as: UTF8.self) }
            guard page.count == 10 else { break }
            after = page.last!.key
        }
        #expect(pages == 3)
        #expect(keys == (0..<25).map { "user/\(1000 + $0)" })
        #expect(try storage.state.scan(prefix: [0xFF], limit: 10).map(\.key) == [[0xFF, 0xFF]])
        #expect(try storage.state.scan(prefix: [], limit: 100).count == 29)
        #expect(try storage.state.scan(prefix: [UInt8]("nothing"), limit: 10).isEmpty)
        // The applied index (a system key) never shows up in a scan of everything.
        #expect(try storage.state.scan(prefix: [], limit: 100).allSatisfy { !$0.key.isEmpty })
        #expect(throws: StorageError.self) { try storage.state.scan(prefix: [], limit: 1_000_000) }
    }

    @Test func oversizedKeysAndValuesAreRefused() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        let bigKey = [UInt8](repeating: 1, count: StateStore.maxKeyBytes + 1)
        #expect(throws: StorageError.tooLarge(what: "key", size: bigKey.count, limit: StateStore.maxKeyBytes)) {
            try storage.state.put(bigKey, [])
        }
        var batch = StateBatch()
        batch.put([UInt8]("ok"), [1])
        batch.put([UInt8]("big"), [UInt8](repeating: 0, count: StateStore.maxValueBytes + 1))
        #expect(throws: StorageError.self) { try storage.state.apply(batch, appliedIndex: 1) }
        // All or nothing: the valid put did not land either, and the index did not move.
        #expect(try storage.state.get([UInt8]("ok")) == nil)
        #expect(storage.state.appliedIndex() == 0)
    }
}
