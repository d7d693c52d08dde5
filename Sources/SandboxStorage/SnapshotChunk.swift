/// One piece of a state snapshot as it travels between nodes: a bounded run of key/value
/// records, LZ4-compressed, checksummed (docs/storage.md, "Snapshot format").
///
/// Wire form, all integers big-endian:
///
///     magic "SBSC" | version u8 = 1 | flags u8 (bit 0: last chunk) | reserved u16 = 0
///     snapshot index u64 | snapshot term u64 | sequence u32 (0, 1, 2, ...)
///     record count u32 | uncompressed length u32 | compressed length u32
///     CRC-32C of the uncompressed records u32
///     compressed records (LZ4 block)
///     CRC-32C of everything before u32
///
/// Records, uncompressed: key length u32 | key | value length u32 | value.
public struct SnapshotChunk: Sendable, Hashable {
    public static let defaultMaxBytes = 1 << 20
    /// Largest uncompressed payload a receiver accepts.
    public static let maxUncompressedBytes = 32 << 20
    /// Largest compressed payload a receiver accepts: what LZ4 produces at worst for
    /// `maxUncompressedBytes` (LZ4_compressBound). Also keeps the length within LZ4's Int32.
    public static let maxCompressedBytes = maxUncompressedBytes + maxUncompressedBytes / 255 + 16
    static let magic: [UInt8] = Array("SBSC".utf8)
    static let version: UInt8 = 1
    static let headerBytes = 44

    public var snapshotIndex: UInt64
    public var snapshotTerm: UInt64
    public var sequence: UInt32
    public var isLast: Bool
    public var recordCount: UInt32
    public var uncompressedByteCount: UInt32
    public var payloadChecksum: UInt32
    public var compressedPayload: [UInt8]

    /// Compresses `records` (already in record form) into a chunk.
    init(metadataIndex: UInt64, term: UInt64, sequence: UInt32, isLast: Bool, recordCount: UInt32, records: [UInt8]) {
        snapshotIndex = metadataIndex
        snapshotTerm = term
        self.sequence = sequence
        self.isLast = isLast
        self.recordCount = recordCount
        uncompressedByteCount = UInt32(records.count)
        payloadChecksum = CRC32C.checksum(records)
        compressedPayload = LZ4Block.compress(records)
    }

    /// The wire form.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: Self.headerBytes + compressedPayload.count + 4)
        writer.append(contentsOf: Self.magic)
        writer.append(Self.version)
        writer.append(isLast ? 1 : 0 as UInt8)
        writer.append(0 as UInt8)
        writer.append(0 as UInt8)
        writer.append(snapshotIndex)
        writer.append(snapshotTerm)
        writer.append(sequence)
        writer.append(recordCount)
        writer.append(uncompressedByteCount)
        writer.append(UInt32(compressedPayload.count))
        writer.append(payloadChecksum)
        writer.append(contentsOf: compressedPayload)
        writer.appendChecksum()
        return writer.bytes
    }

    /// Parses and verifies the wire form (checksum, lengths, version). Untrusted input is fine.
    public init(decoding bytes: [UInt8]) throws {
        func invalid(_ reason: String) -> StorageError { .invalidSnapshotChunk(reason) }
        guard bytes.count >= Self.headerBytes + 4 else {
            throw invalid("\(bytes.count) bytes is shorter than a header")
        }
        let stored = bytes.withUnsafeBytes { RecordCodec.readUInt32($0, at: bytes.count - 4) }
        let computed = CRC32C.checksum(bytes[0..<bytes.count - 4])
        guard stored == computed else {
            throw invalid(
                "checksum mismatch: stored \(RecordCodec.hex(stored)), computed \(RecordCodec.hex(computed))")
        }
        var reader = ByteReader(bytes[0..<bytes.count - 4])
        guard reader.readBytes(4).map(Array.init) == Self.magic else {
            throw invalid("not a snapshot chunk (bad magic)")
        }
        let version = reader.readByte()
        guard version == Self.version else { throw invalid("unknown chunk version \(version ?? 0)") }
        guard let flags = reader.readByte(), reader.readByte() == 0, reader.readByte() == 0,
            let index = reader.readUInt64(), let term = reader.readUInt64(), let sequence = reader.readUInt32(),
            let count = reader.readUInt32(), let uncompressed = reader.readUInt32(),
            let compressed = reader.readUInt32(), let payloadChecksum = reader.readUInt32()
        else { throw invalid("malformed header") }
        guard flags & ~1 == 0 else { throw invalid("unknown flags \(flags)") }
        guard uncompressed <= Self.maxUncompressedBytes else {
            throw invalid("uncompressed length \(uncompressed) exceeds \(Self.maxUncompressedBytes)")
        }
        guard compressed <= Self.maxCompressedBytes else {
            throw invalid("compressed length \(compressed) exceeds \(Self.maxCompressedBytes)")
        }
        guard reader.remaining == Int(compressed) else {
            throw invalid("compressed length \(compressed) but \(reader.remaining) bytes follow")
        }
        snapshotIndex = index
        snapshotTerm = term
        self.sequence = sequence
        isLast = flags & 1 == 1
        recordCount = count
        uncompressedByteCount = uncompressed
        self.payloadChecksum = payloadChecksum
        compressedPayload = Array(reader.readBytes(Int(compressed))!)
    }

    /// Decompresses and verifies the records, then calls `body` for each key and value.
    func forEachRecord(_ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) throws -> Void) throws {
        guard uncompressedByteCount <= Self.maxUncompressedBytes, compressedPayload.count <= Self.maxCompressedBytes
        else {
            throw StorageError.invalidSnapshotChunk(
                "uncompressed length \(uncompressedByteCount) or compressed length \(compressedPayload.count) is too large"
            )
        }
        let records = try LZ4Block.decompress(compressedPayload, originalSize: Int(uncompressedByteCount))
        guard CRC32C.checksum(records) == payloadChecksum else {
            throw StorageError.invalidSnapshotChunk("records of chunk \(sequence) do not match their checksum")
        }
        var reader = ByteReader(records[...])
        var seen: UInt32 = 0
        while reader.remaining > 0 {
            guard let keyLength = reader.readUInt32(), let key = reader.readBytes(Int(keyLength)),
                let valueLength = reader.readUInt32(), let value = reader.readBytes(Int(valueLength))
            else { throw StorageError.invalidSnapshotChunk("record \(seen) of chunk \(sequence) is truncated") }
            try StateStore.checkSize(key: key, value: value)
            try body(key, value)
            seen += 1
        }
        guard seen == recordCount else {
            throw StorageError.invalidSnapshotChunk(
                "chunk \(sequence) holds \(seen) records, header says \(recordCount)")
        }
    }
}
