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
    /// Owners of the objects keywords refer to through ``Borrowed``.
    var objects: [any AnyObject & Sendable] = []
}

/// An immutable value in a class, so keywords can refer to it through ``Borrowed``.
final class Box<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A reference that does not count: keywords copy as plain bits, so the evaluator's keyword loop
/// does no reference counting. Sound because the objects are owned by the program
/// (`SchemaProgram.objects`, then `ExecutableProgram.objects`) for as long as any keyword exists.
struct Borrowed<Object: AnyObject & Sendable>: @unchecked Sendable {
    private let reference: Unmanaged<Object>
    init(_ object: Object) { reference = .passUnretained(object) }

    /// The object, for uses outside the hot path (it is retained for the caller).
    var object: Object { reference.takeUnretainedValue() }

    /// Runs `body` with the object borrowed: no retain or release.
    @inline(__always)
    func read<Result>(_ body: (Object) -> Result) -> Result {
        reference._withUnsafeGuaranteedRef(body)
    }
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

/// The program the evaluator runs: nodes with their keywords flattened into one buffer.
///
/// `@unchecked Sendable`: everything is written once in `init` and never mutated afterwards; the
/// two buffers are owned by this object (freed in `deinit`) and only read while it is alive,
/// which the evaluator guarantees by holding a strong reference. Reading keywords through a
/// buffer lets the evaluator borrow them instead of copying (and retaining) each one.
final class ExecutableProgram: @unchecked Sendable {
    struct Node: Sendable {
        let start: Int
        let end: Int
        let resource: Int
        let needsAnnotations: Bool
        let location: Int
        /// Only keywords that test the instance itself (no subschemas): evaluated without the
        /// recursion bookkeeping, which cannot be needed.
        let isLeaf: Bool
    }

    let nodes: UnsafeMutableBufferPointer<Node>
    let keywords: UnsafeMutableBufferPointer<Keyword>
    let root: Int
    let dynamicAnchors: [[String: Int]]
    let usesDynamicScope: Bool
    let locations: [String]
    /// Keeps alive the objects keywords refer to without counting.
    let objects: [any AnyObject & Sendable]

    init(_ program: SchemaProgram) {
        var nodes: [Node] = []
        var keywords: [Keyword] = []
        for node in program.nodes {
            let start = keywords.count
            keywords.append(contentsOf: node.keywords)
            nodes.append(
                Node(
                    start: start, end: keywords.count, resource: node.resource,
                    needsAnnotations: node.needsAnnotations, location: node.location,
                    isLeaf: !node.needsAnnotations && node.keywords.allSatisfy(\.isAssertion)))
        }
        self.nodes = .allocate(capacity: nodes.count)
        _ = self.nodes.initialize(from: nodes)
        self.keywords = .allocate(capacity: keywords.count)
        _ = self.keywords.initialize(from: keywords)
        root = program.root
        dynamicAnchors = program.dynamicAnchors
        usesDynamicScope = program.usesDynamicScope
        locations = program.locations
        objects = program.objects
    }

    deinit {
        nodes.deinitialize()
        nodes.deallocate()
        keywords.deinitialize()
        keywords.deallocate()
    }
}

/// One compiled keyword. `at` is the index of its schema location in ``SchemaProgram/locations``.
enum Keyword: Sendable {
    /// Whether the keyword tests the instance itself, with no subschema.
    var isAssertion: Bool {
        switch self {
        case .members, .propertyNames, .dependentSchemas, .prefixItems, .items, .contains, .allOf, .anyOf, .oneOf,
            .not, .conditional, .reference, .dynamicReference, .unevaluatedProperties, .unevaluatedItems:
            return false
        default:
            return true
        }
    }

    case alwaysInvalid(at: Int)
    case type(TypeSet, at: Int)
    case enumeration(Borrowed<Box<[JSONValue]>>, at: Int)
    case constant(Borrowed<Box<JSONValue>>, at: Int)
    case multipleOf(Borrowed<Box<JSONNumber>>, at: Int)
    case maximum(Borrowed<Box<JSONNumber>>, at: Int)
    case exclusiveMaximum(Borrowed<Box<JSONNumber>>, at: Int)
    case minimum(Borrowed<Box<JSONNumber>>, at: Int)
    case exclusiveMinimum(Borrowed<Box<JSONNumber>>, at: Int)
    case maxLength(Int, at: Int)
    case minLength(Int, at: Int)
    case pattern(Borrowed<ECMARegex>, at: Int)
    case format(Format, at: Int)
    case maxItems(Int, at: Int)
    case minItems(Int, at: Int)
    case uniqueItems(at: Int)
    case maxProperties(Int, at: Int)
    case minProperties(Int, at: Int)
    case required(Borrowed<Box<[String]>>, at: Int)
    case dependentRequired(Borrowed<Box<[(property: String, required: [String])]>>, at: Int)
    case members(Borrowed<MemberRules>)
    case propertyNames(Int, at: Int)
    case dependentSchemas(Borrowed<Box<[(property: String, node: Int)]>>, at: Int)
    case prefixItems(Borrowed<Box<[Int]>>, at: Int)
    case items(from: Int, node: Int, at: Int)
    case contains(node: Int, min: Int, max: Int?, at: Int)
    case allOf(Borrowed<Box<[Int]>>, at: Int)
    case anyOf(Borrowed<Box<[Int]>>, at: Int)
    case oneOf(Borrowed<Box<[Int]>>, at: Int)
    case not(Int, at: Int)
    case conditional(if: Int, then: Int?, else: Int?, at: Int)
    case reference(Int, at: Int)
    case dynamicReference(Int, anchor: Borrowed<Box<String>>, at: Int)
    case unevaluatedProperties(Int, isFalse: Bool, at: Int)
    case unevaluatedItems(Int, isFalse: Bool, at: Int)
}
