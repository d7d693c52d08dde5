/// Reads what `ByteWriter` wrote, checking every length against the bytes left and a limit.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func u8(_ field: String) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bool(_ field: String) throws(WireError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue(field: field, reason: "is \(other), expected 0 or 1")
        }
    }

    mutating func u16(_ field: String) throws(WireError) -> UInt16 { try integer(field) }

    mutating func u32(_ field: String) throws(WireError) -> UInt32 { try integer(field) }

    mutating func u64(_ field: String) throws(WireError) -> UInt64 { try integer(field) }

    /// A u64 at most `limit` (terms and indices).
    mutating func u64(_ field: String, atMost limit: UInt64) throws(WireError) -> UInt64 {
        let value: UInt64 = try integer(field)
        guard value <= limit else { throw .limitExceeded(field: field, value: value, limit: limit) }
        return value
    }

    /// A count of items, each at least `minimumItemBytes` long, at most `limit`.
    mutating func count(_ field: String, limit: Int, minimumItemBytes: Int) throws(WireError) -> Int {
        let value = Int(try u32(field))
        guard value <= limit else { throw .limitExceeded(field: field, value: UInt64(value), limit: UInt64(limit)) }
        guard value * minimumItemBytes <= remaining else {
            throw .truncated(field: field, needed: value * minimumItemBytes - remaining)
        }
        return value
    }

    /// A u32 length, then that many bytes (at most `limit`).
    mutating func blob(_ field: String, limit: Int) throws(WireError) -> [UInt8] {
        let length = Int(try u32(field))
        guard length <= limit else { throw .limitExceeded(field: field, value: UInt64(length), limit: UInt64(limit)) }
        try need(length, field)
        defer { position += length }
        return Array(bytes[position..<position + length])
    }

    mutating func text(_ field: String, limit: Int) throws(WireError) -> String {
        let raw = try blob(field, limit: limit)
        guard let value = String(validating: raw, as: UTF8.self) else {
            throw .invalidValue(field: field, reason: "is not UTF-8")
        }
        return value
    }

    /// Throws unless every byte was read.
    func finish() throws(WireError) {
        guard remaining == 0 else { throw .trailingBytes(remaining) }
    }

    private func need(_ count: Int, _ field: String) throws(WireError) {
        guard count <= remaining else { throw .truncated(field: field, needed: count - remaining) }
    }

    private mutating func integer<T: FixedWidthInteger>(_ field: String) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        var value: T = 0
        for offset in 0..<size { value = value << 8 | T(bytes[position + offset]) }
        position += size
        return value
    }
}
