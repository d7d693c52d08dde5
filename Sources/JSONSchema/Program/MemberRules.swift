import JSON

/// What `properties`, `patternProperties`, `additionalProperties` and (when every required name
/// is a declared property) `required` of one schema do, evaluated in one pass over the instance.
/// Immutable; a class so the evaluator borrows it instead of copying its tables.
final class MemberRules: Sendable {
    struct Property: Sendable {
        let name: String
        let node: Int
        let isRequired: Bool
        /// An ASCII name equal (`==`) to a string of the same UTF-8 length (callers check the
        /// length first) is that string: no non-ASCII text is canonically equivalent to ASCII text
        /// of the same length.
        let isASCII: Bool

        @inline(__always)
        func isNamed(_ other: String) -> Bool {
            guard name == other else { return false }
            return isASCII || JSONValue.sameCodePoints(name, other)
        }
    }

    /// Declared properties, in name order.
    let propertyList: [Property]
    /// UTF-8 lengths of the names in `propertyList`, for a scan that touches no strings.
    let nameLengths: [Int]
    /// Index into `propertyList` by name (used when the list is too long to scan).
    let propertyIndex: [String: Int]
    let patternProperties: [(pattern: ECMARegex, node: Int)]
    let additionalProperties: Int?
    let additionalIsFalse: Bool
    /// Required names folded into this keyword (all of them declared properties).
    let requiredNames: [String]
    let patternLocation: Int
    let additionalLocation: Int
    let requiredLocation: Int
    /// Below this many properties a linear scan with string equality beats hashing.
    static let linearScanLimit = 12

    init(
        properties: [(String, Int)], required: [String], patternProperties: [(pattern: ECMARegex, node: Int)],
        additionalProperties: Int?, additionalIsFalse: Bool, patternLocation: Int, additionalLocation: Int,
        requiredLocation: Int
    ) {
        let requiredSet = Set(required)
        propertyList = properties.map {
            Property(
                name: $0.0, node: $0.1, isRequired: requiredSet.contains($0.0),
                isASCII: $0.0.utf8.allSatisfy { $0 < 0x80 })
        }
        nameLengths = propertyList.map(\.name.utf8.count)
        var index: [String: Int] = [:]
        for (offset, property) in propertyList.enumerated() { index[property.name] = offset }
        propertyIndex = index
        self.patternProperties = patternProperties
        self.additionalProperties = additionalProperties
        self.additionalIsFalse = additionalIsFalse
        self.requiredNames = required
        self.patternLocation = patternLocation
        self.additionalLocation = additionalLocation
        self.requiredLocation = requiredLocation
    }

    /// The offset in `propertyList` of the declared property named `name` (same code points).
    /// Short lists are scanned: lengths first (`nameLengths`, plain integers), then `==`.
    @inline(__always)
    func propertyOffset(named name: String) -> Int? {
        let length = name.utf8.count
        if propertyList.count <= MemberRules.linearScanLimit {
            return nameLengths.withUnsafeBufferPointer { lengths -> Int? in
                var offset = 0
                while offset < lengths.count {
                    if lengths[offset] == length && propertyList[offset].isNamed(name) { return offset }
                    offset += 1
                }
                return nil
            }
        }
        guard let offset = propertyIndex[name], propertyList[offset].name.utf8.count == length,
            propertyList[offset].isNamed(name)
        else { return nil }
        return offset
    }
}
