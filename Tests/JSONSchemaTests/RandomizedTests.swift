import Foundation
import JSON
import TestSupport
import Testing

@testable import JSONSchema

/// Random schemas and instances: validation must never crash or hang, the three ways of asking
/// (verdict, all errors, first error) must agree, every error must point at a place in the
/// instance, and asking twice must give the same report. (The parser's own fuzzing is in
/// `JSONTests/JSONFuzzTests`.)
@Suite struct RandomizedTests {
    static let names = ["a", "b", "c", "", "a/b", "~"]
    static let patterns = ["^a", "b+$", "\\d", "[a-c]{2}", "(a|b)*c", "\\p{L}", "^$", ".", "[^]", "x{", "(", "\\w+@"]
    static let formats = ["email", "uri", "date", "ipv4", "ipv6", "hostname", "uuid", "regex", "time", "x"]

    static func instance(_ random: inout SeededGenerator, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 9 : 6), using: &random) {
        case 0: return nil
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(JSONNumber(Int.random(in: -5...5, using: &random)))
        case 3:
            return .number(
                JSONNumber(literal: ["0.5", "1.0", "-2.25", "1e30", "0.0075", "3.14"].randomElement(using: &random)!)!)
        case 4, 5:
            let pool = ["", "a", "ab", "abc", "a@b.c", "2024-01-01", "::1", "é", "x{2}", "127.0.0.1"]
            return .string(pool.randomElement(using: &random)!)
        case 6, 7:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                members[names.randomElement(using: &random)!] = instance(&random, depth: depth - 1)
            }
            return .object(members)
        default:
            return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in instance(&random, depth: depth - 1) })
        }
    }

    static func schema(_ random: inout SeededGenerator, depth: Int) -> JSONValue {
        if depth == 0 || Int.random(in: 0..<6, using: &random) == 0 {
            return Int.random(in: 0..<3, using: &random) == 0 ? .bool(Bool.random(using: &random)) : [:]
        }
        var members: [String: JSONValue] = [:]
        func sub() -> JSONValue { schema(&random, depth: depth - 1) }
        func count() -> JSONValue { .number(JSONNumber(Int.random(in: -1...3, using: &random))) }
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<34, using: &random) {
            case 0:
                members["type"] = .string(
                    ["null", "boolean", "integer", "number", "string", "array", "object", "nope"].randomElement(
                        using: &random)!)
            case 1: members["enum"] = .array((0..<3).map { _ in instance(&random, depth: 1) })
            case 2: members["const"] = instance(&random, depth: 2)
            case 3:
                members["multipleOf"] = .number(
                    JSONNumber(literal: ["0.5", "2", "0.0075", "0", "-1"].randomElement(using: &random)!)!)
            case 4:
                members[
                    ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"].randomElement(using: &random)!] =
                    instance(&random, depth: 0)
            case 5:
                members[
                    [
                        "maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties",
                        "minContains", "maxContains",
                    ].randomElement(using: &random)!] = count()
            case 6: members["pattern"] = .string(patterns.randomElement(using: &random)!)
            case 7: members["format"] = .string(formats.randomElement(using: &random)!)
            case 8: members["uniqueItems"] = .bool(Bool.random(using: &random))
            case 9: members["required"] = .array([.string(names.randomElement(using: &random)!)])
            case 10:
                members["dependentRequired"] = [
                    names.randomElement(using: &random)!: [.string(names.randomElement(using: &random)!)]
                ]
            case 11:
                members["properties"] = [
                    names.randomElement(using: &random)!: sub(), names.randomElement(using: &random)!: sub(),
                ]
            case 12: members["patternProperties"] = [patterns.randomElement(using: &random)!: sub()]
            case 13: members["additionalProperties"] = sub()
            case 14: members["propertyNames"] = sub()
            case 15: members["dependentSchemas"] = [names.randomElement(using: &random)!: sub()]
            case 16: members["prefixItems"] = [sub(), sub()]
            case 17: members["items"] = sub()
            case 18: members["contains"] = sub()
            case 19: members["allOf"] = [sub(), sub()]
            case 20: members["anyOf"] = [sub(), sub()]
            case 21: members["oneOf"] = [sub(), sub()]
            case 22: members["not"] = sub()
            case 23:
                members["if"] = sub()
                members["then"] = sub()
                members["else"] = sub()
            case 24: members["unevaluatedProperties"] = sub()
            case 25: members["unevaluatedItems"] = sub()
            case 26:
                members["$ref"] = .string(
                    ["#", "#/$defs/d", "#/$defs/nope", "#anchor", "#/properties/a"].randomElement(using: &random)!)
            case 27: members["$defs"] = ["d": sub()]
            case 28: members["$anchor"] = "anchor"
            case 29:
                members["$dynamicAnchor"] = "node"
                members["$dynamicRef"] = "#node"
            case 30:
                members["$id"] = .string(
                    ["https://example.com/s.json", "sub/", "#frag", "urn:x:y"].randomElement(using: &random)!)
            case 31:
                members["$schema"] = .string(
                    [
                        "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2020-12/schema",
                        "https://nope.example/",
                    ].randomElement(using: &random)!)
            case 32:
                members["items"] = [sub(), sub()]
                members["additionalItems"] = sub()
            default:
                members["dependencies"] = [
                    names.randomElement(using: &random)!: Bool.random(using: &random) ? sub() : ["a"]
                ]
            }
        }
        return .object(members)
    }

    @Test func arbitrarySchemasAndInstancesNeitherCrashNorDisagree() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = UInt64(environment["JSONSCHEMA_SEED"] ?? "") ?? 20_261_129
        // LONG=1 (scripts/test's long mode): ten times the rounds, within two minutes.
        let isLong = environment["LONG"] == "1"
        var random = SeededGenerator(seed: seed)
        let deadline = ContinuousClock.now + .seconds(isLong ? 120 : 20)
        var compiled = 0
        var rejected = 0
        var checked = 0
        for round in 0..<(isLong ? 30_000 : 3_000) where ContinuousClock.now < deadline {
            let schemaValue = Self.schema(&random, depth: 4)
            var options = SchemaOptions()
            options.assertFormats = round % 2 == 0
            options.maxEvaluationDepth = 200
            options.maxEvaluationSteps = 20_000
            let schema: CompiledSchema
            do {
                schema = try CompiledSchema(schemaValue, options: options)
                compiled += 1
            } catch {
                #expect(!error.message.isEmpty)
                rejected += 1
                continue
            }
            for _ in 0..<5 {
                let instance = Self.instance(&random, depth: 3)
                let verdict = schema.isValid(instance)
                let all = schema.validate(instance, reporting: .all)
                let first = schema.validate(instance, reporting: .first)
                #expect(
                    all.isValid == verdict && first.isValid == verdict && all.errors.isEmpty == verdict
                        && first.errors.count == (verdict ? 0 : 1),
                    "seed \(seed) round \(round): \(schemaValue) / \(instance)")
                // Every error points at a place that exists in the instance.
                for error in all.errors {
                    let place = JSONPointer.tokens(error.instanceLocation).flatMap {
                        JSONPointer.resolve($0, in: instance)
                    }
                    #expect(place != nil, "seed \(seed) round \(round): \(error) not in \(instance)")
                }
                // The same question gets the same answer (no state leaks between validations).
                #expect(schema.validate(instance, reporting: .all).errors == all.errors)
                checked += 1
            }
        }
        #expect(compiled > 100)
        #expect(rejected > 0)
        #expect(checked > 500)
    }
}
