/// Appends big-endian integers and length-prefixed byte strings to a buffer.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func u16(_ value: UInt16) { integer(value) }

    mutating func u32(_ value: UInt32) { integer(value) }

    mutating func u64(_ value: UInt64) { integer(value) }

    /// A u32 length, then the bytes.
    mutating func blob(_ value: some Collection<UInt8>) {
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func text(_ value: String) { blob(Array(value.utf8)) }

    /// Text cut to at most `limit` bytes at a character boundary (messages meant for people).
    mutating func text(_ value: String, truncatingTo limit: Int) {
        guard value.utf8.count > limit else { return text(value) }
        var cut = ""
        for character in value {
            guard cut.utf8.count + character.utf8.count <= limit else { break }
            cut.append(character)
        }
        text(cut)
    }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
    }
}
