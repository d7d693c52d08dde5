import JSON
import Testing

@testable import JSONSchema

/// The work a validation does must not depend on the order object members happen to sit in
/// (which for a Swift dictionary follows the process's random hash seed and the table's size):
/// cheap keywords and leaf properties are checked before nested subschemas, in the same order in
/// every process.
@Suite struct EvaluationOrderTests {
    static let schema: JSONValue = [
        "type": "object",
        "$defs": [
            "address": [
                "type": "object",
                "properties": ["street": ["type": "string"], "zip": ["type": "string", "pattern": "^[0-9]{5}$"]],
                "required": ["street", "zip"],
            ]
        ],
        "properties": [
            "count": ["type": "integer", "minimum": 0],
            "flag": ["type": "boolean"],
            "billing": ["$ref": "#/$defs/address"],
            "shipping": ["$ref": "#/$defs/address"],
            "items": ["type": "array", "items": ["$ref": "#/$defs/address"]],
        ],
        "additionalProperties": false,
    ]

    static let address: JSONValue = ["street": "1 Main St", "zip": "12345"]

    /// The same members in dictionaries of different sizes, so that they are visited in
    /// different orders.
    static func instances(count: JSONValue) -> [[String: JSONValue]] {
        let members: [(String, JSONValue)] = [
            ("count", count), ("flag", true), ("billing", address), ("shipping", address),
            ("items", [address, address, address]),
        ]
        return (0..<12).map { extra in
            var object = [String: JSONValue](minimumCapacity: 5 + extra * 7)
            for (name, value) in members { object[name] = value }
            return object
        }
    }

    /// Subschema evaluations of one verdict.
    static func steps(_ compiled: CompiledSchema, _ instance: JSONValue) -> (valid: Bool, steps: Int) {
        var evaluator = SchemaEvaluator(program: compiled.program, options: compiled.options, mode: .verdict)
        let valid = evaluator.validate(compiled.program.root, instance, collect: false)
        return (valid, evaluator.steps)
    }

    @Test func invalidLeafIsFoundBeforeNestedObjectsInEveryOrder() throws {
        let compiled = try CompiledSchema(Self.schema)
        let objects = Self.instances(count: -1)
        // The test needs members visited in more than one order to mean anything.
        #expect(Set(objects.map { Array($0.keys) }).count > 1)
        for object in objects {
            let (valid, steps) = Self.steps(compiled, .object(object))
            #expect(!valid)
            // Only the root: the failing leaf stops the verdict before any nested object is entered.
            #expect(steps == 1, "order \(Array(object.keys)): \(steps) subschema evaluations")
        }
    }

    @Test func validInstanceCostsTheSameInEveryOrder() throws {
        let compiled = try CompiledSchema(Self.schema)
        let results = Self.instances(count: 3).map { Self.steps(compiled, .object($0)) }
        #expect(results.allSatisfy { $0.valid })
        #expect(Set(results.map(\.steps)).count == 1)
    }
}
