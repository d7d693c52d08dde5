/// Reads what ``ByteWriter`` wrote, checking every length against the bytes left and a stated
/// bound before it allocates: a truncated, oversized or hostile input is a ``DecodingError``,
/// never a crash.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int, _ field: String) throws(DecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw DecodingError("\(field): needs \(count) bytes, \(remaining) left (truncated input)")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func u8(_ field: String) throws(DecodingError) -> UInt8 {
        guard remaining >= 1 else { throw DecodingError("\(field): truncated input") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool(_ field: String) throws(DecodingError) -> Bool {
        switch try u8(field) {
        case 0: return false
        case 1: return true
        case let other: throw DecodingError("\(field): \(other) is not a boolean (0 or 1)")
        }
    }

    public mutating func u16(_ field: String) throws(DecodingError) -> UInt16 {
        let slice = try take(2, field)
        return UInt16(slice[slice.startIndex]) << 8 | UInt16(slice[slice.startIndex + 1])
    }

    public mutating func u32(_ field: String) throws(DecodingError) -> UInt32 {
        var value: UInt32 = 0
        for byte in try take(4, field) { value = value << 8 | UInt32(byte) }
        return value
    }

    public mutating func u64(_ field: String) throws(DecodingError) -> UInt64 {
        var value: UInt64 = 0
        for byte in try take(8, field) { value = value << 8 | UInt64(byte) }
        return value
    }

    /// A short string of at most `maxBytes` bytes of valid UTF-8.
    public mutating func string(_ field: String, maxBytes: Int) throws(DecodingError) -> String {
        let count = Int(try u16(field))
        return try utf8(count, field, maxBytes: maxBytes)
    }

    public mutating func optionalString(_ field: String, maxBytes: Int) throws(DecodingError) -> String? {
        try bool(field) ? try string(field, maxBytes: maxBytes) : nil
    }

    /// A long byte string of at most `maxBytes`.
    public mutating func blob(_ field: String, maxBytes: Int) throws(DecodingError) -> [UInt8] {
        let count = Int(try u32(field))
        guard count <= maxBytes else {
            throw DecodingError("\(field): \(count) bytes is over the limit of \(maxBytes)")
        }
        return [UInt8](try take(count, field))
    }

    /// A long string of at most `maxBytes` bytes of valid UTF-8.
    public mutating func text(_ field: String, maxBytes: Int) throws(DecodingError) -> String {
        let count = Int(try u32(field))
        return try utf8(count, field, maxBytes: maxBytes)
    }

    public mutating func raw(_ count: Int, _ field: String) throws(DecodingError) -> [UInt8] {
        [UInt8](try take(count, field))
    }

    private mutating func utf8(_ count: Int, _ field: String, maxBytes: Int) throws(DecodingError) -> String {
        guard count <= maxBytes else {
            throw DecodingError("\(field): \(count) bytes is over the limit of \(maxBytes)")
        }
        let slice = try take(count, field)
        // ASCII is valid UTF-8 as it stands: decoded without the generic validation, whose
        // unspecialised code cost about 500 instructions a string (most identifiers are ASCII).
        if slice.allSatisfy({ $0 < 0x80 }) { return String(decoding: slice, as: UTF8.self) }
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw DecodingError("\(field): not valid UTF-8")
        }
        return string
    }

    /// Fails unless every byte was read.
    public func expectEnd(_ what: String) throws(DecodingError) {
        guard isAtEnd else { throw DecodingError("\(what): \(remaining) unexpected bytes at the end") }
    }
}

/// Bytes that do not decode: what was wrong and where.
public struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
