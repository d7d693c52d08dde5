/// Appends big-endian integers, length-prefixed strings and byte strings: the one writer behind
/// the command encoding and the stored records (docs/state.md, "Encoding").
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Big-endian, appended in one copy (byte by byte, each append checked the array's
    /// uniqueness and capacity: most of what encoding a ledger row cost).
    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A short string: u16 length, UTF-8.
    public mutating func string(_ value: String) {
        let utf8 = value.utf8
        u16(UInt16(clamping: utf8.count))
        bytes.append(contentsOf: utf8.prefix(Int(UInt16.max)))
    }

    /// An optional short string: a presence byte, then the string.
    public mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }

    /// A long byte string: u32 length, bytes.
    public mutating func blob(_ value: some Collection<UInt8>) {
        u32(UInt32(clamping: value.count))
        bytes.append(contentsOf: value)
    }

    /// A long string: u32 length, UTF-8.
    public mutating func text(_ value: String) { blob(value.utf8) }

    /// Bytes as they are (fixed-size fields such as hashes).
    public mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }
}
