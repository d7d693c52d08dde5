import JSON
import Testing

@testable import JSONSchema

@Suite struct LimitsTests {
    private func nested(_ depth: Int) -> JSONValue {
        var value: JSONValue = 1
        for _ in 0..<depth { value = [value] }
        return value
    }

    @Test func deepInstancesAreRejectedNotRecursedInto() throws {
        var options = SchemaOptions()
        options.maxInstanceDepth = 50
        options.maxEvaluationDepth = 1_000
        options.maxStackBytes = 2 << 20
        let schema = try CompiledSchema(
            ["$defs": ["any": ["items": ["$ref": "#/$defs/any"]]], "$ref": "#/$defs/any"], options: options)
        #expect(schema.isValid(nested(40)))
        #expect(!schema.isValid(nested(60)))
        let error = try #require(schema.validate(nested(60)).errors.first)
        #expect(error.message == "instance nested deeper than 50 levels")
    }

    @Test func schemasThatRecurseWithoutProgressStop() throws {
        for schema: JSONValue in [
            ["$ref": "#"],
            ["$defs": ["a": ["$ref": "#/$defs/b"], "b": ["allOf": [["$ref": "#/$defs/a"]]]], "$ref": "#/$defs/a"],
        ] {
            let compiled = try CompiledSchema(schema)
            #expect(!compiled.isValid(1))
            let error = try #require(compiled.validate(1).errors.first)
            #expect(error.message.contains("schema evaluation"))
        }
    }

    @Test func branchingRecursionIsBoundedInTime() throws {
        var options = SchemaOptions()
        options.maxEvaluationSteps = 10_000
        // Six levels of ten-way anyOf: a million evaluations if nothing stopped it.
        var defs: [String: JSONValue] = ["level6": false]
        for level in 0..<6 {
            let next = JSONValue.string("#/$defs/level\(level + 1)")
            defs["level\(level)"] = ["anyOf": .array(Array(repeating: ["$ref": next], count: 10))]
        }
        let schema = try CompiledSchema(["$defs": .object(defs), "$ref": "#/$defs/level0"], options: options)
        let start = ContinuousClock.now
        let result = schema.validate(1)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(!result.isValid)
        #expect(result.errors.first?.message == "validation took more than 10000 subschema evaluations")
    }

    @Test func limitsFailClosedEvenUnderNot() throws {
        var options = SchemaOptions()
        options.maxPatternInputLength = 5
        // `not` of a failing pattern would pass; a string too long to check must not.
        let schema = try CompiledSchema(["not": ["pattern": "^a"]], options: options)
        #expect(schema.isValid("bbb"))
        #expect(!schema.isValid("bbbbbbbbbb"))
        let deep = try CompiledSchema(["not": ["$ref": "#"]])
        #expect(!deep.isValid(1))
        #expect(deep.validate(1, reporting: .first).errors.first?.message.hasPrefix("schema evaluation") == true)
    }

    @Test func stackUseIsBounded() throws {
        var options = SchemaOptions()
        options.maxStackBytes = 16 * 1024
        options.maxEvaluationDepth = 10_000
        options.maxInstanceDepth = 10_000
        let schema = try CompiledSchema(["items": ["$ref": "#"]], options: options)
        let result = schema.validate(nested(400))
        #expect(!result.isValid)
        #expect(result.errors.first?.message.contains("used more stack than allowed") == true)
        // The default budget lets ordinary nesting through.
        #expect(try CompiledSchema(["items": ["$ref": "#"]]).isValid(nested(20)))
    }

    @Test func patternInputLengthIsBounded() throws {
        var options = SchemaOptions()
        options.maxPatternInputLength = 100
        let schema = try CompiledSchema(["pattern": "^(a+)+$"], options: options)
        #expect(schema.isValid(.string(String(repeating: "a", count: 100))))
        let long = JSONValue.string(String(repeating: "a", count: 101))
        #expect(!schema.isValid(long))
        #expect(
            schema.validate(long).errors.map(\.message) == [
                "string of 101 UTF-16 units is longer than the 100 that patterns are checked on"
            ])
        // The bound is in UTF-16 units, not bytes: five emoji are 20 bytes but 10 units.
        let emoji = JSONValue.string(String(repeating: "😀", count: 5))
        options.maxPatternInputLength = 10
        #expect(try CompiledSchema(["pattern": "^😀+$"], options: options).isValid(emoji))
        options.maxPatternInputLength = 9
        #expect(!(try CompiledSchema(["pattern": "^😀+$"], options: options).isValid(emoji)))
        // Strings that are not checked by a pattern are not limited.
        #expect(try CompiledSchema(["maxLength": 1000], options: options).isValid(long))
    }

    @Test func catastrophicBacktrackingInICUIsStopped() throws {
        // Outside the linear-time subset (the lookahead), so ICU runs it; exponential in the
        // number of `a`s before the `b`.
        let pattern: JSONValue = "^(?=a)(a|aa)+$"
        let hostile = JSONValue.string(String(repeating: "a", count: 60) + "b")
        for schemaValue: JSONValue in [["pattern": pattern], ["not": ["pattern": pattern]]] {
            let schema = try CompiledSchema(schemaValue)
            let start = ContinuousClock.now
            let result = schema.validate(hostile)
            #expect(ContinuousClock.now - start < .seconds(20))
            #expect(!result.isValid)
            #expect(
                result.errors.first?.message
                    == "pattern /^(?=a)(a|aa)+$/ backtracked too long on a string of 61 UTF-16 units")
        }
        let schema = try CompiledSchema(["pattern": pattern])
        #expect(schema.isValid(.string(String(repeating: "a", count: 60))))
        #expect(!schema.isValid("b"))
        let names = try CompiledSchema(["patternProperties": [pattern.stringValue!: true]])
        #expect(!names.isValid([String(repeating: "a", count: 60) + "b": 1]))
        // The budget is for the whole validation, not per string: many hostile strings do not
        // multiply the time.
        let many = try CompiledSchema(["items": ["pattern": pattern]])
        let start = ContinuousClock.now
        // (All errors: `isValid` would stop at the first string anyway.)
        #expect(!many.validate(.array(Array(repeating: hostile, count: 50))).isValid)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func patternPropertiesNamesAreBoundedToo() throws {
        var options = SchemaOptions()
        options.maxPatternInputLength = 10
        let schema = try CompiledSchema(["patternProperties": ["^x": true]], options: options)
        #expect(schema.isValid(["xshort": 1]))
        #expect(!schema.isValid([String(repeating: "x", count: 11): 1]))
    }

    @Test func parserLimitsApplyToSchemasAndInstances() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let digits = String(repeating: "9", count: 10_001)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: digits) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "1e999999999999") }
    }
}

@Suite struct NumberSemanticsTests {
    @Test func integersWhateverTheirSpelling() throws {
        let schema = try CompiledSchema(["type": "integer"])
        for text in ["1", "1.0", "1e2", "-0", "12345678901234567890123456789", "1.5e1"] {
            #expect(schema.isValid(try JSONValue(parsing: text)), "\(text) is an integer")
        }
        for text in ["1.5", "1e-2", "0.1"] {
            #expect(!schema.isValid(try JSONValue(parsing: text)), "\(text) is not an integer")
        }
    }

    @Test func multipleOfIsExact() throws {
        let schema = try CompiledSchema(["multipleOf": try JSONValue(parsing: "0.0075")])
        #expect(schema.isValid(try JSONValue(parsing: "0.075")))
        #expect(schema.isValid(try JSONValue(parsing: "7.5")))
        #expect(!schema.isValid(try JSONValue(parsing: "0.0751")))
        let cents = try CompiledSchema(["multipleOf": 0.01])
        #expect(cents.isValid(try JSONValue(parsing: "19.99")))
        #expect(cents.isValid(try JSONValue(parsing: "1e300")))
        #expect(!cents.isValid(try JSONValue(parsing: "0.001")))
    }

    @Test func bigIntegersCompareExactly() throws {
        let schema = try CompiledSchema(["maximum": try JSONValue(parsing: "18446744073709551615")])
        #expect(schema.isValid(try JSONValue(parsing: "18446744073709551615")))
        #expect(!schema.isValid(try JSONValue(parsing: "18446744073709551616")))
        #expect(schema.isValid(try JSONValue(parsing: "18446744073709551615.0")))
        let bounded = try CompiledSchema(["exclusiveMinimum": try JSONValue(parsing: "-1e400")])
        #expect(bounded.isValid(try JSONValue(parsing: "-1e399")))
        #expect(!bounded.isValid(try JSONValue(parsing: "-1e401")))
    }

    @Test func equalityIsByValue() throws {
        let schema = try CompiledSchema(["const": ["a": 1, "b": [1.0, 2]]])
        #expect(schema.isValid(try JSONValue(parsing: #"{"b": [1, 2.0], "a": 1.00}"#)))
        #expect(!schema.isValid(try JSONValue(parsing: #"{"b": [2, 1], "a": 1}"#)))
        let unique = try CompiledSchema(["uniqueItems": true])
        #expect(!unique.isValid(try JSONValue(parsing: "[1, 1.0]")))
        #expect(unique.isValid(try JSONValue(parsing: "[1, true, \"1\"]")))
    }
}

@Suite struct ConcurrencyTests {
    /// One compiled schema shared by concurrent validations, including an ICU-run pattern.
    @Test func sharedSchemaValidatesConcurrently() async throws {
        let schema = try CompiledSchema([
            "type": "object",
            "properties": [
                "word": ["pattern": "\\bfoo\\b"], "code": ["pattern": "^[A-Z]{3}-[0-9]{4}$"],
                "tags": ["type": "array", "items": ["enum": ["a", "b"]], "uniqueItems": true],
            ],
            "required": ["word"],
        ])
        let good: JSONValue = ["word": "a foo b", "code": "ABC-1234", "tags": ["a", "b"]]
        let bad: JSONValue = ["word": "foobar", "code": "AB-1", "tags": ["a", "a"]]
        let results = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var correct = 0
                    for round in 0..<300 {
                        let instance = (round + worker) % 2 == 0 ? good : bad
                        let expected = (round + worker) % 2 == 0
                        if schema.isValid(instance) == expected && schema.validate(instance).isValid == expected {
                            correct += 1
                        }
                    }
                    return correct
                }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        #expect(results == 1_200)
    }
}
