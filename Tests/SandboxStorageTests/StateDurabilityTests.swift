import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// The state's writes skip RocksDB's WAL (`StorageOptions.logStateWrites` off): a crash loses
/// what was not flushed, never below the durable applied index, and never below a compaction
/// point; a membership change's batch is durable as a whole. `closeAsIfCrashed` leaves the
/// files as a SIGKILL would (the multi-process version is `CrashTests`).
@Suite struct StateDurabilityTests {
    let directory = TemporaryDirectory("state-durability")

    /// Appends entries 2...last in term 1, committed, after a bootstrap at 1.
    static func bootstrapped(_ path: String, last: UInt64, logStateWrites: Bool = false) throws -> NodeStorage {
        let storage = try openStorage(path, logStateWrites: logStateWrites)
        try storage.bootstrap(ConfState(voters: [1, 2, 3]))
        let entries = (2...last).map { Entry(term: 1, index: $0, data: [UInt8]("e\($0)".utf8)) }
        try storage.log.append(entries, hardState: HardState(term: 1, vote: 1, commit: last))
        return storage
    }

    /// Applies `indices` one batch each: key "k<i>" and the running count.
    static func apply(_ indices: ClosedRange<UInt64>, to storage: NodeStorage) throws {
        for index in indices {
            var batch = StateBatch()
            batch.put([UInt8]("k\(index)".utf8), [UInt8]("\(index)".utf8))
            batch.put([UInt8]("count".utf8), [UInt8]("\(index)".utf8))
            try storage.state.apply(batch, appliedIndex: index)
        }
    }

    /// The state holds exactly the keys of the entries up to its applied index.
    static func checkWhole(_ storage: NodeStorage, upTo last: UInt64) throws {
        let applied = storage.state.appliedIndex()
        let count = try storage.state.get([UInt8]("count".utf8)).map { String(decoding: $0, as: UTF8.self) }
        #expect(count == (applied > 1 ? "\(applied)" : nil), "count \(count ?? "none") at applied \(applied)")
        for index in 2...last {
            let stored = try storage.state.get([UInt8]("k\(index)".utf8))
            #expect((stored != nil) == (index <= applied), "key of entry \(index) at applied \(applied)")
        }
    }

    @Test func aCrashLosesUnflushedAppliesButNotTheDurableIndex() throws {
        do {
            let storage = try Self.bootstrapped(directory.path, last: 40)
            try Self.apply(2...10, to: storage)
            #expect(try storage.state.durableAppliedIndex() == 1)
            #expect(try storage.state.makeDurable(through: 10) == 10)
            try Self.apply(11...20, to: storage)
            #expect(try storage.state.durableAppliedIndex() == 10)
            #expect(storage.state.appliedIndex() == 20)
            storage.closeAsIfCrashed()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        // The writes after the flush were lost; what is left is whole, at the durable index.
        #expect(storage.state.appliedIndex() == 10)
        #expect(try storage.state.durableAppliedIndex() == 10)
        try Self.checkWhole(storage, upTo: 40)
        // Re-applying the lost entries from the log works as the first time.
        try Self.apply(11...20, to: storage)
        try Self.checkWhole(storage, upTo: 40)
    }

    @Test func compactionMakesTheStateDurableUpToItsPointFirst() throws {
        do {
            let storage = try Self.bootstrapped(directory.path, last: 40)
            try Self.apply(2...30, to: storage)
            try storage.log.compact(upTo: 25)
            // The flush claims everything applied when it ran, past the compaction point.
            #expect(try storage.state.durableAppliedIndex() == 30)
            try Self.apply(31...35, to: storage)
            // Already durable up to 28: no second flush.
            try storage.log.compact(upTo: 28)
            #expect(try storage.state.durableAppliedIndex() == 30)
            storage.closeAsIfCrashed()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(storage.state.appliedIndex() == 30)
        #expect(try storage.log.firstIndex() == 29)
        try Self.checkWhole(storage, upTo: 40)
    }

    @Test func aMembershipBatchIsDurableWithEverythingBeforeIt() throws {
        let conf = ConfState(voters: [1, 2, 3, 4])
        do {
            let storage = try Self.bootstrapped(directory.path, last: 40)
            try Self.apply(2...12, to: storage)
            var batch = StateBatch()
            batch.put([UInt8]("k13".utf8), [UInt8]("13".utf8))
            batch.put([UInt8]("count".utf8), [UInt8]("13".utf8))
            try storage.state.apply(batch, appliedIndex: 13, confState: conf)
            #expect(try storage.state.durableAppliedIndex() == 13)
            try Self.apply(14...20, to: storage)
            storage.closeAsIfCrashed()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        // Not a mix of the logged batch over an older state: exactly the state at 13.
        #expect(storage.state.appliedIndex() == 13)
        #expect(try storage.log.status().confState == conf)
        try Self.checkWhole(storage, upTo: 40)
    }

    @Test func aBackgroundFlushMovesTheDurableIndex() throws {
        let storage = try Self.bootstrapped(directory.path, last: 40)
        defer { storage.close() }
        try Self.apply(2...20, to: storage)
        #expect(storage.state.flushInBackground())
        let deadline = Date().addingTimeInterval(30)
        while try storage.state.durableAppliedIndex() < 20, Date() < deadline { usleep(5_000) }
        #expect(try storage.state.durableAppliedIndex() == 20)
        // Nothing left to flush: no thread is started.
        #expect(!storage.state.flushInBackground())
    }

    @Test func aKeyWrittenOutsideAnEntrySurvivesACrash() throws {
        do {
            let storage = try Self.bootstrapped(directory.path, last: 10)
            try Self.apply(2...5, to: storage)
            try storage.state.put([UInt8]("outside".utf8), [UInt8]("kept".utf8))
            storage.closeAsIfCrashed()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.state.get([UInt8]("outside".utf8)) == [UInt8]("kept".utf8))
        // The put made the applies before it durable too (a flush came first).
        #expect(storage.state.appliedIndex() == 5)
        try Self.checkWhole(storage, upTo: 10)
    }

    @Test func loggedStateWritesSurviveACrashWithoutAFlush() throws {
        do {
            let storage = try Self.bootstrapped(directory.path, last: 20, logStateWrites: true)
            try Self.apply(2...15, to: storage)
            // In the WAL: durable as the applied index (the next synced write syncs it).
            #expect(try storage.state.durableAppliedIndex() == 15)
            #expect(!storage.state.flushInBackground())
            storage.closeAsIfCrashed()
        }
        let storage = try openStorage(directory.path, logStateWrites: true)
        defer { storage.close() }
        #expect(storage.state.appliedIndex() == 15)
        try Self.checkWhole(storage, upTo: 20)
    }
}
