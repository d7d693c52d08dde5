/// Equality of short strings by their in-place representation.
///
/// On 64-bit little-endian platforms a Swift `String` of at most 15 UTF-8 bytes is stored in the
/// value itself ("small"): the bytes, zero padding, and a top byte holding flags (`isSmall`,
/// `isASCII`, derived from the bytes) and the count. Two small strings therefore have the same
/// two words exactly when they have the same bytes, which is JSON Schema's (code-point) equality
/// for strings; comparing the words costs no decoding and no reference counting. Where the
/// layout cannot be confirmed (another platform, or a runtime whose check below fails),
/// ``words(of:)`` returns nil and callers compare bytes.
enum SmallString {
    typealias Words = (UInt64, UInt64)

    /// No small string has these words (its top byte always has the `isSmall` flag set).
    static let none: Words = (0, 0)

    /// Whether this runtime lays out small strings as described above, checked once on strings
    /// built in different ways.
    static let isAvailable: Bool = {
        #if _pointerBitWidth(_64) && _endian(little)
            let samples = ["", "a", "key", "fifteen bytes!!", "é", "😀x"]
            for sample in samples {
                let copies = [sample, String(decoding: Array(sample.utf8), as: UTF8.self), String(sample[...])]
                let words = copies.map { unsafeBitCast($0, to: Words.self) }
                guard words.allSatisfy({ $0 == words[0] && isSmall($0) }) else { return false }
            }
            let long = unsafeBitCast(String(repeating: "x", count: 16), to: Words.self)
            let differ = unsafeBitCast("a", to: Words.self) != unsafeBitCast("b", to: Words.self)
            return !isSmall(long) && differ
        #else
            return false
        #endif
    }()

    @inline(__always)
    private static func isSmall(_ words: Words) -> Bool { (words.1 >> 61) & 1 == 1 }

    /// The words of `string` if it is stored small (and the layout is confirmed).
    @inline(__always)
    static func words(of string: String) -> Words? {
        #if _pointerBitWidth(_64) && _endian(little)
            let words = unsafeBitCast(string, to: Words.self)
            guard isSmall(words), isAvailable else { return nil }
            return words
        #else
            return nil
        #endif
    }

    /// The words of `string` if it is stored small, for callers that checked ``isAvailable``
    /// once beforehand (reading it here would cost a lazy-global check per call).
    @inline(__always)
    static func wordsIfSmall(_ string: String) -> Words? {
        #if _pointerBitWidth(_64) && _endian(little)
            let words = unsafeBitCast(string, to: Words.self)
            return isSmall(words) ? words : nil
        #else
            return nil
        #endif
    }

    /// The words of the small string with these UTF-8 bytes, if it can be small.
    static func words(ofUTF8 bytes: [UInt8]) -> Words? {
        guard bytes.count <= 15 else { return nil }
        return words(of: String(decoding: bytes, as: UTF8.self))
    }

    /// A slot for `words` in a table of `1 << (64 - shift)` slots: multiplicative hashing, the
    /// product's top bits (which depend on every bit of both words).
    @inline(__always)
    static func slot(_ words: Words, multiplier: UInt64, shift: UInt64) -> Int {
        let mixed = (words.0 &+ (words.1 &* 0xBF58_476D_1CE4_E5B9)) &* multiplier
        return Int(truncatingIfNeeded: mixed >> shift)
    }
}
