import JSON

/// The values of an `enum` or `const`, with a faster path for the usual all-strings case: the
/// strings are looked up by their bytes (``NameTable``), without going through `JSONValue` or
/// `String` equality.
///
/// `@unchecked Sendable`: `strings` is written once in `init`, only read afterwards, and freed in
/// `deinit`.
final class EnumValues: @unchecked Sendable {
    let values: [JSONValue]
    /// The values when every one is a string.
    private let strings: NameTable?

    init(_ values: [JSONValue]) {
        self.values = values
        let strings = values.compactMap(\.stringValue)
        self.strings = strings.count == values.count ? NameTable.allocate(strings) : nil
    }

    deinit { strings?.deallocate() }

    /// Whether `instance` equals one of the values (JSON Schema equality).
    @inline(__always)
    func contains(_ instance: JSONValue) -> Bool {
        guard let strings else { return values.contains(instance) }
        guard case .string(let text) = instance else { return false }
        return strings.index(of: text) != nil
    }
}
