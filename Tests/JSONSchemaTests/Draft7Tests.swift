import JSON
import Testing

@testable import JSONSchema

/// Draft-07, chosen by `$schema` or by ``SchemaOptions/defaultDraft``.
@Suite struct Draft7Tests {
    static let draft7 = JSONValue.string("http://json-schema.org/draft-07/schema#")

    @Test func itemsArrayAndAdditionalItems() throws {
        let schema = try CompiledSchema([
            "$schema": Self.draft7, "items": [["type": "string"], ["type": "integer"]], "additionalItems": false,
        ])
        #expect(schema.isValid(["a", 1]))
        #expect(!schema.isValid([1, "a"]))
        #expect(!schema.isValid(["a", 1, true]))
        #expect(schema.validate(["a", 1, true]).errors.first?.schemaLocation == "/additionalItems")
    }

    @Test func refIgnoresSiblingKeywords() throws {
        let schema = try CompiledSchema([
            "$schema": Self.draft7, "definitions": ["int": ["type": "integer"]], "$ref": "#/definitions/int",
            "maximum": 5,
        ])
        #expect(schema.isValid(10))
        #expect(!schema.isValid("x"))
        // In 2020-12 the sibling applies.
        let modern = try CompiledSchema(["$defs": ["int": ["type": "integer"]], "$ref": "#/$defs/int", "maximum": 5])
        #expect(!modern.isValid(10))
    }

    @Test func dependenciesBothForms() throws {
        let schema = try CompiledSchema([
            "$schema": Self.draft7,
            "dependencies": ["card": ["billing"], "coupon": ["required": ["code"]]],
        ])
        #expect(schema.isValid(["card": 1, "billing": 2]))
        #expect(!schema.isValid(["card": 1]))
        #expect(!schema.isValid(["coupon": true]))
        #expect(schema.isValid(["coupon": true, "code": "X"]))
    }

    @Test func defaultDraftOptionSelectsDraft7() throws {
        var options = SchemaOptions()
        options.defaultDraft = .draft7
        let schema = try CompiledSchema(["items": [["type": "string"]]], options: options)
        #expect(schema.isValid(["a", 2]))
        #expect(!schema.isValid([2]))
        // 2020-12 has no array form of items.
        #expect(throws: SchemaCompileError.self) { try CompiledSchema(["items": [["type": "string"]]]) }
    }

    @Test func idWithFragmentIsAnAnchorInDraft7() throws {
        let schema = try CompiledSchema([
            "$schema": Self.draft7,
            "definitions": ["name": ["$id": "#name", "type": "string"]],
            "properties": ["n": ["$ref": "#name"]],
        ])
        #expect(schema.isValid(["n": "x"]))
        #expect(!schema.isValid(["n": 1]))
    }

    @Test func draft2020KeywordsAreUnknownInDraft7() throws {
        let schema = try CompiledSchema([
            "$schema": Self.draft7, "prefixItems": [false], "unevaluatedProperties": false,
        ])
        #expect(schema.isValid([1]))
        #expect(schema.isValid(["extra": 1]))
    }
}
