import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// Recovery on the real file system: torn tails are dropped and zeroed, damage before synced
/// data is reported with its place.
@Suite struct SegmentLogRecoveryTests {
    /// 502 bytes of data make a 528-byte record (no padding): every byte of it is checked.
    static func entry(_ index: UInt64, term: UInt64 = 1, size: Int = 502) -> Entry {
        Entry(term: term, index: index, data: (0..<size).map { UInt8(truncatingIfNeeded: Int(index) &* 13 &+ $0) | 1 })
    }

    static let medium = SegmentLogOptions(segmentBytes: 65536)
    static let startBytes = SegmentRecord.size(payloadBytes: SegmentRecord.startPayloadBytes)
    static let entryBytes = SegmentRecord.entrySize(dataBytes: 502)

    static func firstSegment(_ directory: TemporaryDirectory) -> String { directory.subpath("0000000000000001.wal") }

    static func patch(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    @Test func aTornLastWriteIsDroppedAtEveryByteAndTheTailZeroed() throws {
        #expect(Self.entryBytes == 528)
        let directory = TemporaryDirectory("segment-log-torn")
        let options = SegmentLogOptions(segmentBytes: 16384)
        do {
            let log = try SegmentLog(directory: directory.path, options: options)
            for index in 1...8 { try log.append([Self.entry(UInt64(index))]) }
            try log.append([Self.entry(9), Self.entry(10)])
        }
        let path = Self.firstSegment(directory)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = Self.startBytes + 8 * Self.entryBytes
        let after = before + 2 * Self.entryBytes
        var checked = 0
        for offset in before..<after {
            for garble in [false, true] {
                try original.write(to: URL(fileURLWithPath: path))
                if garble {
                    try Self.patch(path, at: offset, with: [original[offset] ^ 0x5A])
                } else {
                    try Self.patch(path, at: offset, with: [UInt8](repeating: 0, count: after - offset))
                }
                do {
                    let log = try SegmentLog(directory: directory.path, options: options)
                    #expect(try log.lastIndex() == 8, "offset \(offset), garbled \(garble)")
                }
                let repaired = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(repaired[before...].allSatisfy { $0 == 0 }, "offset \(offset): the torn tail is not zeroed")
                #expect(repaired[..<before] == original[..<before])
                do {
                    let log = try SegmentLog(directory: directory.path, options: options)
                    try log.append([Self.entry(9, term: 2, size: 100)])
                }
                let log = try SegmentLog(directory: directory.path, options: options)
                #expect(
                    try log.entries(from: 1, to: 10, maxBytes: .max) == (1...8).map { Self.entry($0) } + [
                        Self.entry(9, term: 2, size: 100)
                    ])
                checked += 1
            }
        }
        #expect(checked == 2 * 2 * 528)
    }

    @Test func damageFollowedByALaterWriteIsCorruptionNamingThePlace() throws {
        let directory = TemporaryDirectory("segment-log-damage")
        do {
            let log = try SegmentLog(directory: directory.path, options: Self.medium)
            for index in 1...10 { try log.append([Self.entry(UInt64(index))]) }
        }
        let offset = Self.startBytes + 4 * Self.entryBytes + 100
        try Self.patch(Self.firstSegment(directory), at: offset, with: [0xFF])
        #expect {
            try SegmentLog(directory: directory.path, options: Self.medium)
        } throws: { error in
            guard case .corruptEntry(5, let reason) = error as? StorageError else { return false }
            return reason.contains("0000000000000001.wal at offset \(Self.startBytes + 4 * Self.entryBytes)")
        }
    }

    @Test func damageInASegmentThatAnotherFollowsIsCorruption() throws {
        let directory = TemporaryDirectory("segment-log-damage")
        let options = SegmentLogOptions(segmentBytes: 4096)
        do {
            let log = try SegmentLog(directory: directory.path, options: options)
            for index in 1...20 { try log.append([Self.entry(UInt64(index))]) }
        }
        // Seven entries fit in a segment (8 to 14 in segment 2). Damage entry 14, the last write
        // of segment 2: only the later segments say that it was synced.
        let second = directory.subpath("0000000000000002.wal")
        try Self.patch(second, at: Self.startBytes + 6 * Self.entryBytes + 9, with: [0xFF])
        #expect {
            try SegmentLog(directory: directory.path, options: options)
        } throws: { error in
            guard case .corruptEntry(14, let reason) = error as? StorageError else { return false }
            return reason.contains("0000000000000002.wal")
        }
    }

    @Test func aRecordDamagedAfterOpeningIsReportedOnReadAndLatched() throws {
        let directory = TemporaryDirectory("segment-log-damage")
        let log = try SegmentLog(directory: directory.path, options: Self.medium)
        for index in 1...5 { try log.append([Self.entry(UInt64(index))]) }
        #expect(try log.entries(from: 3, to: 4, maxBytes: .max) == [Self.entry(3)])
        try Self.patch(Self.firstSegment(directory), at: Self.startBytes + 2 * Self.entryBytes + 40, with: [0])
        #expect {
            try log.entries(from: 2, to: 5, maxBytes: .max)
        } throws: { error in
            guard case .corruptEntry(3, _) = error as? StorageError else { return false }
            return true
        }
        #expect(throws: StorageError.self) { try log.lastIndex() }
    }

    /// Bad bytes anywhere are an error or a shorter log, never a crash; what opens reads whole.
    @Test func randomDamageIsAnErrorNeverACrash() throws {
        let directory = TemporaryDirectory("segment-log-fuzz")
        let options = SegmentLogOptions(segmentBytes: 4096)
        do {
            let log = try SegmentLog(directory: directory.path, options: options)
            for index in 1...12 { try log.append([Self.entry(UInt64(index), size: 100 + index * 37)]) }
            try log.compact(upTo: 3)
            try log.reset(toIndex: 5, term: 2)
            try log.append(
                (6...10).map { Self.entry($0, term: 2, size: 300) }, hardState: HardState(term: 2, vote: 1, commit: 7))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let originals = try names.map { try Data(contentsOf: URL(fileURLWithPath: directory.subpath($0))) }
        var random = SeededGenerator(seed: 11)
        var opened = 0
        var refused = 0
        for _ in 0..<300 {
            for (name, data) in zip(names, originals) {
                try data.write(to: URL(fileURLWithPath: directory.subpath(name)))
            }
            for _ in 0..<(1 + random.below(3)) {
                let file = random.pick(names)
                let size = originals[names.firstIndex(of: file)!].count
                let offset = random.below(size)
                let bytes = random.chance(50) ? random.bytes(1 + random.below(16)) : [random.pick([0, 0xFF, 0x80])]
                try Self.patch(directory.subpath(file), at: offset, with: Array(bytes.prefix(size - offset)))
            }
            do {
                let log = try SegmentLog(directory: directory.path, options: options)
                let first = try log.firstIndex()
                _ = try log.entries(from: first, to: log.lastIndex() + 1, maxBytes: .max)
                opened += 1
            } catch is StorageError {
                refused += 1
            }
        }
        #expect(opened > 0 && refused > 0)
    }

    @Test func aMissingSegmentInTheMiddleIsReported() throws {
        let directory = TemporaryDirectory("segment-log-gap")
        let options = SegmentLogOptions(segmentBytes: 4096)
        do {
            let log = try SegmentLog(directory: directory.path, options: options)
            for index in 1...30 { try log.append([Self.entry(UInt64(index))]) }
        }
        try FileManager.default.removeItem(atPath: directory.subpath("0000000000000002.wal"))
        #expect(throws: StorageError.self) { try SegmentLog(directory: directory.path, options: options) }
        try FileManager.default.removeItem(atPath: directory.subpath("0000000000000001.wal"))
        // Without segment 1 and 2, entries 1 to 14 are missing: the compaction point says 0.
        #expect {
            try SegmentLog(directory: directory.path, options: options)
        } throws: { isInconsistentLog($0, saying: "entries 1 to 14 are missing") }
    }
}
