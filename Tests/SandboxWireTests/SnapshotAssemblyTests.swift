import Raft
import Testing

@testable import SandboxWire

@Suite struct SnapshotAssemblyTests {
    func chunk(_ index: UInt64, _ sequence: UInt32, last: Bool = false, bytes: Int = 10) -> SnapshotChunkFrame {
        let message = Message(
            kind: .snapshot, from: 1, to: 2, term: 2,
            snapshot: Snapshot(metadata: SnapshotMetadata(index: index, term: 2)))
        return SnapshotChunkFrame(
            message: message, sequence: sequence, isLast: last, chunk: [UInt8](repeating: 0, count: bytes))
    }

    @Test func chunksInOrderAreAccepted() throws {
        var assembly = SnapshotAssembly()
        #expect(try assembly.accept(chunk(5, 0)) == .begin)
        #expect(try assembly.accept(chunk(5, 1)) == .add)
        #expect(try assembly.accept(chunk(5, 2, last: true)) == .add)
        #expect(assembly.current == nil)
        #expect(assembly.totalBytes == 30)
    }

    @Test func aGapOrAForeignChunkAbandonsTheSnapshot() throws {
        var assembly = SnapshotAssembly()
        _ = try assembly.accept(chunk(5, 0))
        #expect(throws: WireError.self) { try assembly.accept(chunk(5, 2)) }
        #expect(throws: WireError.self) { try assembly.accept(chunk(5, 1)) }  // abandoned: no snapshot in progress
        _ = try assembly.accept(chunk(5, 0))
        #expect(throws: WireError.self) { try assembly.accept(chunk(6, 1)) }
    }

    @Test func aSnapshotOverTheTotalCapIsRefused() throws {
        var assembly = SnapshotAssembly(maxTotalBytes: 25)
        _ = try assembly.accept(chunk(5, 0))
        _ = try assembly.accept(chunk(5, 1))
        #expect(throws: WireError.limitExceeded(field: "snapshot size", value: 30, limit: 25)) {
            try assembly.accept(chunk(5, 2))
        }
        // A new snapshot starts afresh.
        #expect(try assembly.accept(chunk(6, 0)) == .begin)
    }

    @Test func theSequenceCannotWrapAround() throws {
        var assembly = SnapshotAssembly()
        _ = try assembly.accept(chunk(5, 0))
        #expect(throws: WireError.self) { try assembly.accept(chunk(5, UInt32.max)) }
    }
}
