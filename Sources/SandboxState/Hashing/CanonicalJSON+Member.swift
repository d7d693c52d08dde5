extension CanonicalJSON {
    /// The value of the top-level member `name` of a JSON object when it is a plain unsigned
    /// integer (digits only), found by walking the bytes without building the value: a member of
    /// the same name inside a nested object, array or string is not it. Nil when the text is not
    /// an object as expected, the member is missing or not plain digits, or it appears twice; the
    /// caller then parses the text for the answer. (Verifying the audit chain checks every
    /// record's `seq` this way: a full parse cost four times the hash.)
    public static func topLevelUnsigned(_ name: String, in bytes: [UInt8]) -> UInt64? {
        let key = Array(name.utf8)
        guard bytes.first == UInt8(ascii: "{") else { return nil }
        var found: UInt64? = nil
        var depth = 0
        var expectKey = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(bytes, from: i) else { return nil }
                if depth == 1, expectKey {
                    expectKey = false
                    if bytes[(i + 1)..<end].elementsEqual(key) {
                        guard found == nil, end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: ":"),
                            let (value, next) = digits(bytes, from: end + 2)
                        else { return nil }
                        found = value
                        i = next
                        continue
                    }
                }
                i = end + 1
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return i == bytes.count - 1 ? found : nil }
            case UInt8(ascii: ","):
                expectKey = depth == 1
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// The index of the quote closing the string that opens at `start`.
    private static func stringEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i
            default: i += 1
            }
        }
        return nil
    }

    /// A run of digits at `start` ending at `,` or `}` (no sign, fraction, exponent or leading
    /// zero; at most `Int64.max`), and the index after it.
    private static func digits(_ bytes: [UInt8], from start: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var i = start
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            i += 1
        }
        guard i > start, i < bytes.count, bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}") else {
            return nil
        }
        // As the parser reads it: no leading zero, and within a signed 64-bit integer.
        if bytes[start] == UInt8(ascii: "0"), i - start > 1 { return nil }
        guard value <= UInt64(Int64.max) else { return nil }
        return (value, i)
    }
}
