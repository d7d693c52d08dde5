import JSON
import Testing

@testable import JSONSchema

@Suite struct ValidationErrorTests {
    static let emailSchema: JSONValue = [
        "type": "object",
        "properties": [
            "recipient": ["type": "string", "maxLength": 254],
            "subject": ["type": "string", "minLength": 1],
            "priority": ["enum": ["low", "high"]],
            "cc": ["type": "array", "items": ["type": "string"], "maxItems": 2],
        ],
        "required": ["recipient", "subject"],
        "additionalProperties": false,
    ]

    @Test func messageNamesExpectationAndFinding() throws {
        let schema = try CompiledSchema(Self.emailSchema)
        let result = schema.validate(["recipient": .string(String(repeating: "a", count: 301)), "subject": "hi"])
        #expect(!result.isValid)
        #expect(result.errors.count == 1)
        let error = try #require(result.errors.first)
        #expect(error.instanceLocation == "/recipient")
        #expect(error.schemaLocation == "/properties/recipient/maxLength")
        #expect(error.message == "expected string of at most 254 characters, got 301")
        #expect(error.description == "/recipient: expected string of at most 254 characters, got 301")
    }

    @Test func reportsEveryErrorOrOnlyTheFirst() throws {
        let schema = try CompiledSchema(Self.emailSchema)
        let instance: JSONValue = ["subject": "", "priority": "urgent", "cc": ["a", 2, "c"], "bcc": "x"]
        let all = schema.validate(instance, reporting: .all)
        #expect(
            Set(all.errors.map(\.description)) == [
                "/: missing required property \"recipient\"",
                "/: unexpected property \"bcc\"",
                "/cc: expected array of at most 2 items, got 3",
                "/cc/1: expected string, got number",
                "/priority: expected one of [\"low\",\"high\"], got \"urgent\"",
                "/subject: expected string of at least 1 character, got 0",
            ])
        let first = schema.validate(instance, reporting: .first)
        #expect(!first.isValid)
        #expect(first.errors.count == 1)
        #expect(first.errors.first == all.errors.first)
        #expect(!schema.isValid(instance))
    }

    @Test func rootErrorsUseSlash() throws {
        let schema = try CompiledSchema(["type": ["string", "null"]])
        let error = try #require(schema.validate(42).errors.first)
        #expect(error.description == "/: expected null or string, got number")
        #expect(error.schemaLocation == "/type")
    }

    @Test func pointerEscapesKeys() throws {
        let schema = try CompiledSchema(["properties": ["a/b~c": ["type": "integer"]]])
        let error = try #require(schema.validate(["a/b~c": "x"]).errors.first)
        #expect(error.instanceLocation == "/a~1b~0c")
        #expect(error.schemaLocation == "/properties/a~1b~0c/type")
    }

    @Test func combinatorMessages() throws {
        let oneOf = try CompiledSchema(["oneOf": [["type": "integer"], ["minimum": 0]]])
        #expect(
            oneOf.validate(5).errors.map(\.message) == [
                "expected to match exactly one schema in oneOf, matched schemas 0 and 1"
            ])
        let anyOf = try CompiledSchema(["anyOf": [["type": "integer"], ["type": "null"]]])
        #expect(
            anyOf.validate("x").errors.map(\.message) == [
                "expected to match at least one schema in anyOf, matched none"
            ])
        let not = try CompiledSchema(["not": ["type": "string"]])
        #expect(not.validate("x").errors.map(\.schemaLocation) == ["/not"])
        let contains = try CompiledSchema(["contains": ["const": 1], "minContains": 2])
        #expect(
            contains.validate([1, 2]).errors.map(\.message) == [
                "expected at least 2 items matching the contains schema, got 1"
            ])
    }

    @Test func referencedKeywordsReportTheirOwnLocation() throws {
        let schema = try CompiledSchema([
            "$defs": ["name": ["type": "string", "pattern": "^[a-z]+$"]],
            "properties": ["user": ["$ref": "#/$defs/name"]],
        ])
        let error = try #require(schema.validate(["user": "Bob"]).errors.first)
        #expect(error.instanceLocation == "/user")
        #expect(error.schemaLocation == "/$defs/name/pattern")
        #expect(error.message == "expected string matching /^[a-z]+$/, got \"Bob\"")
    }

    @Test func validResultHasNoErrors() throws {
        let schema = try CompiledSchema(Self.emailSchema)
        let result = schema.validate(["recipient": "a@b.c", "subject": "hello", "cc": ["x"]])
        #expect(result.isValid)
        #expect(result.errors.isEmpty)
    }
}

@Suite struct StringLengthTests {
    /// Lengths count Unicode scalars (code points), not bytes or grapheme clusters.
    @Test func lengthsCountCodePoints() throws {
        let minimum = try CompiledSchema(["minLength": 3])
        #expect(!minimum.isValid("éé"))
        #expect(minimum.isValid("ééé"))
        #expect(minimum.isValid("😀😀😀"))
        #expect(!minimum.isValid("😀😀"))
        #expect(minimum.isValid("e\u{301}e"))
        let maximum = try CompiledSchema(["maxLength": 2])
        #expect(maximum.isValid("😀😀"))
        #expect(!maximum.isValid("😀😀😀"))
        #expect(!maximum.isValid("e\u{301}e"))
        #expect(minimum.validate("😀😀").errors.map(\.message) == ["expected string of at least 3 characters, got 2"])
    }
}

@Suite struct ErrorOrderTests {
    /// The same members in a dictionary with a different capacity iterate in a different order
    /// (as in a process with another hash seed).
    private func reordered(_ members: [String: JSONValue]) -> JSONValue {
        var copy = [String: JSONValue](minimumCapacity: 4_096)
        for key in members.keys.sorted(by: >) { copy[key] = members[key] }
        return .object(copy)
    }

    @Test func aLimitIsReportedAtTheSamePlaceWhateverTheMemberOrder() throws {
        var options = SchemaOptions()
        options.maxPatternInputLength = 8
        let schema = try CompiledSchema(
            [
                "properties": ["p0": ["pattern": "^x"]], "additionalProperties": ["pattern": "^x"],
                "propertyNames": ["maxLength": 1], "unevaluatedProperties": false,
            ], options: options)
        var members: [String: JSONValue] = [:]
        for offset in 0..<40 { members["p\(offset)"] = .string(String(repeating: "x", count: 8 + offset % 3)) }
        let plain = schema.validate(.object(members))
        let other = schema.validate(reordered(members))
        #expect(!plain.isValid && !other.isValid)
        #expect(plain.errors == other.errors)
        #expect(plain.errors.first?.instanceLocation == "/p1")
        #expect(schema.validate(.object(members), reporting: .first).errors == [plain.errors[0]])
    }

    @Test func ordinaryErrorsDoNotDependOnTheMemberOrder() throws {
        let schema = try CompiledSchema(["additionalProperties": ["type": "integer"], "required": ["z", "y"]])
        var members: [String: JSONValue] = [:]
        for offset in 0..<40 { members["k\(offset)"] = offset % 2 == 0 ? "text" : 1 }
        let plain = schema.validate(.object(members))
        #expect(plain.errors == schema.validate(reordered(members)).errors)
        #expect(plain.errors.count == 22)
        #expect(plain.errors.first?.instanceLocation == "")
    }
}
