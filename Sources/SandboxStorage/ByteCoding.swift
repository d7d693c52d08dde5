/// Big-endian encoding helpers for keys and records.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: UInt32) { bytes.appendBigEndian(value) }

    mutating func append(_ value: UInt64) { bytes.appendBigEndian(value) }

    mutating func append(contentsOf data: some Collection<UInt8>) { bytes.append(contentsOf: data) }

    /// Appends the CRC-32C of everything written so far.
    mutating func appendChecksum() { append(CRC32C.checksum(bytes)) }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and fails with `nil`.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - offset }

    mutating func readByte() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var value: UInt32 = 0
        for position in offset..<offset + 4 { value = value << 8 | UInt32(bytes[position]) }
        offset += 4
        return value
    }

    mutating func readUInt64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var value: UInt64 = 0
        for position in offset..<offset + 8 { value = value << 8 | UInt64(bytes[position]) }
        offset += 8
        return value
    }

    mutating func readBytes(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}

extension UInt64 {
    /// The 8-byte big-endian form: sorts like the number, so RocksDB iterates log keys in order.
    var bigEndianBytes: [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.append(self)
        return writer.bytes
    }

    init?(bigEndianBytes bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        self = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBigEndian(_ value: UInt64) {
        appendBigEndian(UInt32(truncatingIfNeeded: value >> 32))
        appendBigEndian(UInt32(truncatingIfNeeded: value))
    }
}
