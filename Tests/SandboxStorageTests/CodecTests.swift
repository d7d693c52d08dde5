import Raft
import Testing

@testable import SandboxStorage

@Suite struct CodecTests {
    @Test func crc32cMatchesTheKnownVectors() {
        #expect(CRC32C.checksum([UInt8]("123456789")) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum([UInt8]((0..<32).map { UInt8($0) })) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func crc32cCanContinueAcrossPieces() {
        let bytes = [UInt8]("The quick brown fox jumps over the lazy dog")
        let whole = CRC32C.checksum(bytes)
        let split = CRC32C.checksum(bytes[13...], continuing: CRC32C.checksum(bytes[..<13]))
        #expect(whole == split)
    }

    @Test func crc32cAgreesWithABitwiseReferenceAtEveryLengthAndAlignment() {
        func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = (crc & 1) == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        var random = TestRandom(seed: 3)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for start in 0..<9 {
            for length in 0..<(bytes.count - start) where length < 40 || length % 37 == 0 {
                let slice = bytes[start..<start + length]
                #expect(CRC32C.checksum(slice) == reference(slice), "offset \(start), length \(length)")
            }
        }
    }

    @Test func entryRecordRoundTripsAndEveryFlippedByteIsCaught() throws {
        let entry = Entry(term: 7, index: 42, kind: .configChange, data: [1, 2, 3, 4, 5])
        let record = RecordCodec.encode(entry)
        #expect(try RecordCodec.decodeEntry(record, at: 42) == entry)
        for position in record.indices {
            var damaged = record
            damaged[position] ^= 0x10
            #expect(throws: StorageError.self) { try RecordCodec.decodeEntry(damaged, at: 42) }
        }
        #expect {
            try RecordCodec.decodeEntry(record, at: 43)
        } throws: { error in
            (error as? StorageError) == .corruptEntry(index: 43, reason: "record holds entry 42")
        }
    }

    @Test func metadataRecordsRoundTrip() throws {
        let hardState = HardState(term: 9, vote: 3, commit: 1000)
        #expect(try RecordCodec.decodeHardState(RecordCodec.encode(hardState)) == hardState)
        let conf = ConfState(voters: [1, 2, 3], learners: [9])
        #expect(try RecordCodec.decodeConfState(RecordCodec.encode(conf)) == conf)
        let metadata = SnapshotMetadata(index: 77, term: 5, conf: conf)
        #expect(try RecordCodec.decodeSnapshotMetadata(RecordCodec.encode(metadata)) == metadata)
        var damaged = RecordCodec.encode(hardState)
        damaged[3] ^= 1
        #expect(throws: StorageError.self) { try RecordCodec.decodeHardState(damaged) }
    }
}
