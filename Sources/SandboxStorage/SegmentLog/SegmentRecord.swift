import Raft

/// The metadata a segment starts with: a checkpoint of everything but the entries, so that older
/// segments can be deleted without losing the hard state or the compaction point.
struct SegmentStart: Sendable, Equatable {
    var sequence: UInt64
    /// The index the next entry would have when the segment was started (last index + 1).
    var nextIndex: UInt64
    var snapshotIndex: UInt64
    var snapshotTerm: UInt64
    var hardState: HardState
}

/// One record of a segment file (docs/storage.md, "A Raft log in segment files"):
///
///     u32 payload length | u32 CRC-32C of type and payload | u8 type | payload | zeros to 8 bytes
///
/// big-endian. The type's high bit marks the last record of one write (`append` writes a batch
/// of records with one pwrite): recovery tells a torn last write from damage of synced data by it.
/// A zero length where a header should be is the end of the written part (segments are
/// zero-filled when made).
enum SegmentRecord: Sendable, Equatable {
    case start(SegmentStart)
    /// `data` is the entry's kind byte and data, as `Entry` holds them.
    case entry(index: UInt64, term: UInt64, kind: EntryKind, data: ArraySlice<UInt8>)
    case hardState(HardState)
    /// Entries up to `index` (whose term was `term`) are forgotten.
    case compaction(index: UInt64, term: UInt64)
    /// The log restarts empty after `index` (a snapshot installed at `index`, `term`).
    case reset(index: UInt64, term: UInt64)

    static let headerBytes = 9
    static let alignment = 8
    /// Bytes of an entry's payload before its data: index, term, kind.
    static let entryPrefixBytes = 17
    /// A start record's payload: magic, version, sequence, next index, compaction point, hard state.
    static let startPayloadBytes = 8 + 1 + 7 * 8
    /// The largest payload accepted (one entry's data and its 17 bytes of prefix).
    static let maxPayloadBytes = 64 << 20
    static let batchEndFlag: UInt8 = 0x80
    /// "SBXWAL" and two zero bytes: the start record's magic.
    static let magic: UInt64 = 0x5342_5857_414C_0000
    static let version: UInt8 = 1

    enum Kind: UInt8 {
        case start = 1
        case entry = 2
        case hardState = 3
        case compaction = 4
        case reset = 5
    }

    /// The bytes a record with a payload of `payloadBytes` takes, padding included.
    static func size(payloadBytes: Int) -> Int {
        (headerBytes + payloadBytes + alignment - 1) / alignment * alignment
    }

    static func entrySize(dataBytes: Int) -> Int { size(payloadBytes: entryPrefixBytes + dataBytes) }

    /// At least the bytes `encode` appends (exact for an entry), to size a write's buffer once.
    var encodedBytesBound: Int {
        if case .entry(_, _, _, let data) = self { return Self.entrySize(dataBytes: data.count) }
        return Self.size(payloadBytes: Self.startPayloadBytes + 1)  // the largest other record
    }

    // MARK: encoding

    /// Appends the record to `buffer` (padded), its type flagged when it ends a write.
    func encode(into buffer: inout [UInt8], endsWrite: Bool = false) {
        let start = buffer.count
        buffer.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        buffer.append(kind.rawValue | (endsWrite ? Self.batchEndFlag : 0))
        encodePayload(into: &buffer)
        let payloadBytes = buffer.count - start - Self.headerBytes
        let checksum = buffer.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...]))
        }
        Self.store(UInt32(payloadBytes), in: &buffer, at: start)
        Self.store(checksum, in: &buffer, at: start + 4)
        let padded = Self.size(payloadBytes: payloadBytes)
        buffer.append(contentsOf: repeatElement(0, count: padded - (buffer.count - start)))
    }

    private var kind: Kind {
        switch self {
        case .start: return .start
        case .entry: return .entry
        case .hardState: return .hardState
        case .compaction: return .compaction
        case .reset: return .reset
        }
    }

    private func encodePayload(into buffer: inout [UInt8]) {
        switch self {
        case .start(let start):
            buffer.appendBigEndian(Self.magic)
            buffer.append(Self.version)
            for value in [
                start.sequence, start.nextIndex, start.snapshotIndex, start.snapshotTerm, start.hardState.term,
                start.hardState.vote, start.hardState.commit,
            ] {
                buffer.appendBigEndian(value)
            }
        case .entry(let index, let term, let kind, let data):
            buffer.appendBigEndian(index)
            buffer.appendBigEndian(term)
            buffer.append(kind.rawValue)
            buffer.append(contentsOf: data)
        case .hardState(let state):
            buffer.appendBigEndian(state.term)
            buffer.appendBigEndian(state.vote)
            buffer.appendBigEndian(state.commit)
        case .compaction(let index, let term), .reset(let index, let term):
            buffer.appendBigEndian(index)
            buffer.appendBigEndian(term)
        }
    }

    private static func store(_ value: UInt32, in buffer: inout [UInt8], at offset: Int) {
        for shift in 0..<4 { buffer[offset + shift] = UInt8(truncatingIfNeeded: value >> (24 - 8 * shift)) }
    }

    // MARK: decoding

    /// What `decode` found at an offset.
    enum Decoded: Equatable {
        /// A zero length: nothing was written here.
        case end
        /// Not a valid record (`reason` says why).
        case invalid(String)
        /// A record of `size` bytes (padding included); `endsWrite` from its type byte.
        case record(SegmentRecord, size: Int, endsWrite: Bool)
    }

    /// Decodes the record at `offset` of `bytes` (a segment, or the part of one read so far).
    static func decode(_ bytes: ArraySlice<UInt8>, at offset: Int) -> Decoded {
        guard bytes.endIndex - offset >= headerBytes else {
            return bytes[offset...].allSatisfy { $0 == 0 } ? .end : .invalid("a header cut short by the file's end")
        }
        var reader = ByteReader(bytes[offset...])
        let length = Int(reader.readUInt32()!)
        let stored = reader.readUInt32()!
        guard length > 0 else { return stored == 0 && bytes[offset + 8] == 0 ? .end : .invalid("zero length") }
        guard length <= maxPayloadBytes else { return .invalid("length \(length) exceeds \(maxPayloadBytes)") }
        guard length <= bytes.endIndex - offset - headerBytes else {
            return .invalid("length \(length) runs past the segment's end")
        }
        let body = bytes[(offset + 8)..<(offset + headerBytes + length)]
        let computed = CRC32C.checksum(body)
        guard computed == stored else {
            return .invalid(
                "checksum mismatch: stored \(RecordCodec.hex(stored)), computed \(RecordCodec.hex(computed))")
        }
        let type = bytes[offset + 8]
        guard let kind = Kind(rawValue: type & ~batchEndFlag) else { return .invalid("unknown record type \(type)") }
        var payload = ByteReader(body.dropFirst())
        guard let record = decodePayload(kind, &payload), payload.remaining == 0 || kind == .entry else {
            return .invalid("malformed \(kind) record")
        }
        let recordBytes = min(size(payloadBytes: length), bytes.endIndex - offset)
        return .record(record, size: recordBytes, endsWrite: type & batchEndFlag != 0)
    }

    private static func decodePayload(_ kind: Kind, _ reader: inout ByteReader) -> SegmentRecord? {
        switch kind {
        case .start:
            guard reader.readUInt64() == magic, reader.readByte() == version else { return nil }
            var values: [UInt64] = []
            for _ in 0..<7 {
                guard let value = reader.readUInt64() else { return nil }
                values.append(value)
            }
            let hardState = HardState(term: values[4], vote: values[5], commit: values[6])
            return .start(
                SegmentStart(
                    sequence: values[0], nextIndex: values[1], snapshotIndex: values[2], snapshotTerm: values[3],
                    hardState: hardState))
        case .entry:
            guard let index = reader.readUInt64(), let term = reader.readUInt64(), let byte = reader.readByte(),
                let kind = EntryKind(rawValue: byte), let data = reader.readBytes(reader.remaining)
            else { return nil }
            return .entry(index: index, term: term, kind: kind, data: data)
        case .hardState:
            guard let term = reader.readUInt64(), let vote = reader.readUInt64(), let commit = reader.readUInt64()
            else { return nil }
            return .hardState(HardState(term: term, vote: vote, commit: commit))
        case .compaction, .reset:
            guard let index = reader.readUInt64(), let term = reader.readUInt64() else { return nil }
            return kind == .compaction ? .compaction(index: index, term: term) : .reset(index: index, term: term)
        }
    }
}
