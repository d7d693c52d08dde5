import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// The segment log's behaviour through its API, on the real file system.
@Suite struct SegmentLogTests {
    static let small = SegmentLogOptions(segmentBytes: 4096)
    /// Spares made in the background in four pieces, each synced, with pauses between them.
    static let smallInPieces = SegmentLogOptions(segmentBytes: 16384, fillPieceBytes: 4096)

    static func segmentFiles(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".wal") }.sorted()
    }

    static func all(_ log: SegmentLog) throws -> [Entry] {
        try log.entries(from: log.firstIndex(), to: log.lastIndex() + 1, maxBytes: .max)
    }

    @Test func entriesAndHardStateSurviveReopening() throws {
        let directory = TemporaryDirectory("segment-log")
        let written = makeEntries(1...20, term: 3)
        let hardState = HardState(term: 3, vote: 2, commit: 12)
        do {
            let log = try SegmentLog(directory: directory.path)
            #expect(try log.lastIndex() == 0)
            try log.append(written, hardState: hardState)
            #expect(try Self.all(log) == written)
            log.close()
            #expect(throws: StorageError.closed) { try log.lastIndex() }
        }
        let log = try SegmentLog(directory: directory.path)
        #expect(try Self.all(log) == written)
        #expect(try log.hardState() == hardState)
        #expect(try log.term(at: 20) == 3)
        #expect(try log.entries(from: 5, to: 9, maxBytes: 0).map(\.index) == [5])
        let limited = try log.entries(from: 5, to: 21, maxBytes: written[4].data.count + written[5].data.count)
        #expect(limited.map(\.index) == [5, 6])
        #expect(throws: RaftStorageError.unavailable) { try log.entries(from: 5, to: 22, maxBytes: .max) }
    }

    @Test func anEntryAtAnEarlierIndexReplacesTheSuffixOnReopeningToo() throws {
        let directory = TemporaryDirectory("segment-log")
        let replaced = makeEntries(6...8, term: 4)
        do {
            let log = try SegmentLog(directory: directory.path, options: Self.small)
            try log.append(makeEntries(1...10, term: 2))
            try log.append(replaced)
            #expect(try log.lastIndex() == 8)
            #expect(try Self.all(log) == makeEntries(1...5, term: 2) + replaced)
        }
        let log = try SegmentLog(directory: directory.path, options: Self.small)
        #expect(try Self.all(log) == makeEntries(1...5, term: 2) + replaced)
        #expect(throws: RaftStorageError.termRegression(index: 9, term: 3, previousTerm: 4)) {
            try log.append(makeEntries(9...9, term: 3))
        }
        #expect(throws: RaftStorageError.appendGap(lastIndex: 8, firstNewIndex: 10)) {
            try log.append(makeEntries(10...10, term: 4))
        }
        // Refusals write nothing and are not latched.
        try log.append(makeEntries(9...9, term: 4))
        #expect(try log.lastIndex() == 9)
    }

    @Test(arguments: [small, smallInPieces])
    func appendsRollOverSegmentsAndReopen(options: SegmentLogOptions) throws {
        let directory = TemporaryDirectory("segment-log")
        let count = UInt64(options.segmentBytes / 64)  // about five segments of 300-byte entries
        var written: [Entry] = []
        do {
            let log = try SegmentLog(directory: directory.path, options: options)
            for index in 1...count {
                let entry = makeEntries(index...index, term: 1, size: 300)
                try log.append(entry, hardState: HardState(term: 1, vote: 1, commit: index - 1))
                written += entry
                if index % 7 == 0 { try log.prepareSpare() }
            }
            // A write larger than a segment gets a segment of its own.
            let large = makeEntries((count + 1)...(count + UInt64(options.segmentBytes / 400) + 10), term: 1, size: 400)
            try log.append(large)
            written += large
        }
        let files = try Self.segmentFiles(directory.path)
        #expect(files.count > 5)
        #expect(files.first == "0000000000000001.wal")
        let log = try SegmentLog(directory: directory.path, options: options)
        #expect(try Self.all(log) == written)
        #expect(try log.hardState() == HardState(term: 1, vote: 1, commit: count - 1))
    }

    /// A spare made in pieces is whole: its full size, zeros throughout, under its final name.
    @Test func aSpareMadeInPiecesIsWholeAndZeroed() throws {
        let directory = TemporaryDirectory("segment-log")
        let log = try SegmentLog(directory: directory.path, options: Self.smallInPieces)
        try log.append(makeEntries(1...3, term: 1, size: 100))
        try log.prepareSpare()
        let files = try Self.segmentFiles(directory.path)
        #expect(files == ["0000000000000001.wal", "0000000000000002.wal"])
        let spare = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/" + files[1]))
        #expect(spare.count == 16384)
        #expect(spare.allSatisfy { $0 == 0 })
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.allSatisfy { !$0.hasSuffix(".tmp") })
    }

    @Test func compactionDeletesWholeSegments() throws {
        let directory = TemporaryDirectory("segment-log")
        do {
            let log = try SegmentLog(directory: directory.path, options: Self.small)
            for index in stride(from: 1, through: 100, by: 5) {
                try log.append(makeEntries(UInt64(index)...UInt64(index + 4), term: 2, size: 200))
            }
            let before = try Self.segmentFiles(directory.path).count
            try log.compact(upTo: 90)
            #expect(try log.firstIndex() == 91)
            #expect(throws: RaftStorageError.compacted) { try log.entries(from: 90, to: 92, maxBytes: .max) }
            #expect(try log.term(at: 90) == 2)
            try log.prepareSpare()
            let after = try Self.segmentFiles(directory.path).count
            #expect(before == 7 && after == 2)
            #expect(try Self.all(log) == makeEntries(91...100, term: 2, size: 200))
        }
        let log = try SegmentLog(directory: directory.path, options: Self.small)
        #expect(try log.compactionPoint() == (90, 2))
        #expect(try Self.all(log) == makeEntries(91...100, term: 2, size: 200))
        #expect(throws: RaftStorageError.compacted) { try log.compact(upTo: 90) }
    }

    @Test func compactedSegmentsLeftBehindByACrashAreSkipped() throws {
        let directory = TemporaryDirectory("segment-log")
        do {
            let log = try SegmentLog(directory: directory.path, options: Self.small)
            try log.append(makeEntries(1...40, term: 1, size: 200))
            try log.append(makeEntries(41...60, term: 1, size: 200))
            try log.compact(upTo: 50)
            // No prepareSpare: the files stay, as after a crash.
        }
        let log = try SegmentLog(directory: directory.path, options: Self.small)
        #expect(try log.firstIndex() == 51)
        #expect(try Self.all(log) == makeEntries(51...60, term: 1, size: 200))
        try log.prepareSpare()
        #expect(try Self.segmentFiles(directory.path).count <= 3)
    }

    @Test func resetRestartsTheLogAfterTheSnapshot() throws {
        let directory = TemporaryDirectory("segment-log")
        do {
            let log = try SegmentLog(directory: directory.path, options: Self.small)
            try log.append(makeEntries(1...30, term: 1, size: 200), hardState: HardState(term: 1, vote: 0, commit: 3))
            try log.reset(toIndex: 500, term: 7)
            #expect(try log.firstIndex() == 501)
            #expect(try log.lastIndex() == 500)
            #expect(try log.term(at: 500) == 7)
            #expect(try log.hardState().commit == 500)
            #expect(throws: RaftStorageError.snapshotOutOfDate(current: 500, offered: 400)) {
                try log.reset(toIndex: 400, term: 7)
            }
            try log.append(makeEntries(501...505, term: 7))
            try log.prepareSpare()
        }
        let log = try SegmentLog(directory: directory.path, options: Self.small)
        #expect(try log.compactionPoint() == (500, 7))
        #expect(try Self.all(log) == makeEntries(501...505, term: 7))
        #expect(try Self.segmentFiles(directory.path).count <= 2)
    }

    @Test func appendsGoOnWhileABackgroundThreadPreparesSpares() async throws {
        let directory = TemporaryDirectory("segment-log")
        let log = try SegmentLog(directory: directory.path, options: Self.small)
        let background = Task.detached {
            var prepared = 0
            while !Task.isCancelled, prepared < 100_000 {
                try log.prepareSpare()
                prepared += 1
            }
        }
        for index in 1...300 {
            try log.append(makeEntries(UInt64(index)...UInt64(index), term: 1, size: 500))
            if index % 50 == 0 { try log.compact(upTo: UInt64(index - 10)) }
        }
        background.cancel()
        try await background.value
        #expect(try Self.all(log) == makeEntries(291...300, term: 1, size: 500))
        log.close()
        let reopened = try SegmentLog(directory: directory.path, options: Self.small)
        #expect(try Self.all(reopened) == makeEntries(291...300, term: 1, size: 500))
    }

    @Test func badOptionsAndOversizedEntriesAreRefused() throws {
        let directory = TemporaryDirectory("segment-log")
        #expect(throws: StorageError.self) {
            try SegmentLog(directory: directory.path, options: .init(segmentBytes: 1000))
        }
        let log = try SegmentLog(directory: directory.path, options: Self.small)
        let huge = Entry(term: 1, index: 1, data: [UInt8](repeating: 1, count: SegmentRecord.maxPayloadBytes))
        #expect(throws: StorageError.self) { try log.append([huge]) }
        try log.append(makeEntries(1...2, term: 1))
        #expect(try log.lastIndex() == 2)
    }
}
