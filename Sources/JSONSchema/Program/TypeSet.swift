import JSON

/// JSON types as a bit set (`integer` is a subset of `number`).
struct TypeSet: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1)
    static let boolean = TypeSet(rawValue: 2)
    static let integer = TypeSet(rawValue: 4)
    static let number = TypeSet(rawValue: 8)
    static let string = TypeSet(rawValue: 16)
    static let array = TypeSet(rawValue: 32)
    static let object = TypeSet(rawValue: 64)

    static func named(_ name: String) -> TypeSet? {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "integer": return .integer
        case "number": return .number
        case "string": return .string
        case "array": return .array
        case "object": return .object
        default: return nil
        }
    }

    @inline(__always)
    func contains(typeOf value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .number(let number):
            return contains(.number) || (contains(.integer) && number.isInteger)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }

    var names: [String] {
        let all: [(TypeSet, String)] = [
            (.null, "null"), (.boolean, "boolean"), (.integer, "integer"), (.number, "number"),
            (.string, "string"), (.array, "array"), (.object, "object"),
        ]
        return all.filter { contains($0.0) }.map(\.1)
    }
}
