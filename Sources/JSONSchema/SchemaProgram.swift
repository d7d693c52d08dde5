/// The compiled form of a schema: a flat table of nodes that refer to each other by index, so
/// cyclic references are plain integers and validation never looks anything up by name.
struct SchemaProgram: Sendable {
    var nodes: [SchemaNode] = []
    var root = 0
    /// `$dynamicAnchor`s of each resource that has any: `[resource: [anchor name: node]]`.
    var dynamicAnchors: [[String: Int]] = []
    /// Whether any `$dynamicRef` can resolve dynamically, so the evaluator must track scope.
    var usesDynamicScope = false
    /// Schema locations of keywords, referred to by index from ``Keyword``.
    var locations: [String] = []
}

/// One compiled (sub)schema.
struct SchemaNode: Sendable {
    /// Keywords in evaluation order (`unevaluated*` last).
    var keywords: [Keyword] = []
    /// The resource this node starts (for `$dynamicRef` scope), or -1.
    var resource = -1
    /// Whether a keyword of this node needs annotations from the others (`unevaluated*`).
    var needsAnnotations = false
    /// The node's own schema location (for `false` schema errors).
    var location = 0
}

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

/// What `properties`, `patternProperties` and `additionalProperties` of one schema do, evaluated
/// in one pass over the instance's members.
struct MemberRules: Sendable {
    var properties: [String: Int] = [:]
    /// `properties` in name order (for iterating the schema side).
    var propertyList: [(name: String, node: Int)] = []
    var patternProperties: [(pattern: ECMARegex, node: Int)] = []
    var additionalProperties: Int?
    var additionalIsFalse = false
    var propertiesLocation = 0
    var patternLocation = 0
    var additionalLocation = 0
}

/// One compiled keyword. `at` is the index of its schema location in ``SchemaProgram/locations``.
enum Keyword: Sendable {
    case alwaysInvalid(at: Int)
    case type(TypeSet, at: Int)
    case enumeration([JSONValue], at: Int)
    case constant(JSONValue, at: Int)
    case multipleOf(JSONNumber, at: Int)
    case maximum(JSONNumber, at: Int)
    case exclusiveMaximum(JSONNumber, at: Int)
    case minimum(JSONNumber, at: Int)
    case exclusiveMinimum(JSONNumber, at: Int)
    case maxLength(Int, at: Int)
    case minLength(Int, at: Int)
    case pattern(ECMARegex, at: Int)
    case format(Format, at: Int)
    case maxItems(Int, at: Int)
    case minItems(Int, at: Int)
    case uniqueItems(at: Int)
    case maxProperties(Int, at: Int)
    case minProperties(Int, at: Int)
    case required([String], at: Int)
    case dependentRequired([(property: String, required: [String])], at: Int)
    case members(MemberRules)
    case propertyNames(Int, at: Int)
    case dependentSchemas([(property: String, node: Int)], at: Int)
    case prefixItems([Int], at: Int)
    case items(from: Int, node: Int, at: Int)
    case contains(node: Int, min: Int, max: Int?, at: Int)
    case allOf([Int], at: Int)
    case anyOf([Int], at: Int)
    case oneOf([Int], at: Int)
    case not(Int, at: Int)
    case conditional(if: Int, then: Int?, else: Int?, at: Int)
    case reference(Int, at: Int)
    case dynamicReference(Int, anchor: String, at: Int)
    case unevaluatedProperties(Int, isFalse: Bool, at: Int)
    case unevaluatedItems(Int, isFalse: Bool, at: Int)
}
