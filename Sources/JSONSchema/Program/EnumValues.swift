import JSON

/// The values of an `enum`, with a faster path for the usual all-strings case: lengths are
/// compared first, then the strings, without going through `JSONValue` equality.
final class EnumValues: Sendable {
    let values: [JSONValue]
    /// The values when every one is a string.
    private let strings: [String]?
    private let lengths: [Int]
    private let isASCII: [Bool]

    init(_ values: [JSONValue]) {
        self.values = values
        let strings = values.compactMap(\.stringValue)
        if strings.count == values.count {
            self.strings = strings
            lengths = strings.map(\.utf8.count)
            isASCII = strings.map { $0.utf8.allSatisfy { $0 < 0x80 } }
        } else {
            self.strings = nil
            lengths = []
            isASCII = []
        }
    }

    /// Whether `instance` equals one of the values (JSON Schema equality).
    @inline(__always)
    func contains(_ instance: JSONValue) -> Bool {
        guard let strings else { return values.contains(instance) }
        guard case .string(let text) = instance else { return false }
        let length = text.utf8.count
        for offset in strings.indices where lengths[offset] == length && strings[offset] == text {
            // Equal lengths and canonical equality: identical for ASCII (see MemberRules.Property).
            if isASCII[offset] || JSONValue.sameCodePoints(strings[offset], text) { return true }
        }
        return false
    }
}
