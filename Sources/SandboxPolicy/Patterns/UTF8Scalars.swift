/// Decoding helpers over UTF-8 bytes that are known to be valid (they come from a Swift String).
enum UTF8Scalars {
    /// The offset of the scalar after the one starting at `offset`.
    @inline(__always)
    static func next(after offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let lead = bytes[offset]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        return min(offset + length, bytes.count)
    }

    /// The scalar value starting at `offset` and the offset after it.
    @inline(__always)
    static func decode(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (UInt32, Int) {
        let lead = UInt32(bytes[offset])
        if lead < 0x80 { return (lead, offset + 1) }
        let end = next(after: offset, in: bytes)
        var value: UInt32 =
            lead < 0xE0 ? lead & 0x1F : lead < 0xF0 ? lead & 0x0F : lead & 0x07
        var index = offset + 1
        while index < end {
            value = (value << 6) | (UInt32(bytes[index]) & 0x3F)
            index += 1
        }
        return (value, end)
    }
}
