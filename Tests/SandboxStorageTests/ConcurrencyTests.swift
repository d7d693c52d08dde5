import Dispatch
import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

@Suite struct ConcurrencyTests {
    let directory = TemporaryDirectory("concurrency")

    /// Readers, a writer and a close racing: every call either works or throws `closed`, and the
    /// log stays readable and consistent for whoever reads it before the close.
    @Test func readersWritersAndCloseRaceSafely() throws {
        let storage = try openStorage(directory.path)
        try storage.log.append(makeEntries(1...100, term: 1))
        let failures = Locked<[String]>([])
        let group = DispatchGroup()
        @Sendable func record(_ error: Error) {
            if (error as? StorageError) != .closed { failures.withLock { $0.append("\(error)") } }
        }
        for _ in 0..<3 {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<5_000 {
                    do {
                        let last = try storage.log.lastIndex()
                        let entries = try storage.log.entries(from: 1, to: last + 1, maxBytes: 2048)
                        if entries.first?.index != 1 { failures.withLock { $0.append("entries start wrong") } }
                        _ = try storage.log.term(at: last)
                        _ = try storage.state.scan(prefix: [], limit: 20)
                        _ = try storage.state.get([UInt8]("k"))
                    } catch {
                        record(error)
                        return
                    }
                }
            }
        }
        DispatchQueue.global().async(group: group) {
            for index in UInt64(101)...400 {
                do {
                    try storage.log.append(makeEntries(index...index, term: 1))
                    var batch = StateBatch()
                    batch.put([UInt8]("k"), [UInt8]("\(index)"))
                    try storage.state.apply(batch, appliedIndex: index)
                } catch {
                    record(error)
                    return
                }
            }
        }
        DispatchQueue.global().async(group: group) {
            usleep(100_000)
            do {
                let reader = try storage.state.makeSnapshot(maxChunkBytes: 64)
                _ = try reader.nextChunk()
                storage.close()  // with the reader's iterator and snapshot still open
                _ = try reader.nextChunk()
            } catch {
                record(error)
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        storage.close()
        #expect(failures.withLock { $0 }.isEmpty)
        // What was acknowledged before the close is there after reopening.
        let reopened = try openStorage(directory.path)
        defer { reopened.close() }
        let last = try reopened.log.lastIndex()
        #expect(last >= 100)
        #expect(try reopened.log.entries(from: 1, to: last + 1, maxBytes: .max).count == Int(last))
        #expect(reopened.state.appliedIndex() <= last)
    }
}
