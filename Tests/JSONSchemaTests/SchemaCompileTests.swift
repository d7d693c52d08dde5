import JSON
import Testing

@testable import JSONSchema

@Suite struct SchemaCompileTests {
    private func compileError(_ schema: JSONValue, registry: SchemaRegistry = SchemaRegistry()) -> SchemaCompileError? {
        do {
            _ = try CompiledSchema(schema, registry: registry)
            return nil
        } catch {
            return error
        }
    }

    @Test func invalidKeywordValuesFailWithTheirLocation() throws {
        let badType = try #require(compileError(["properties": ["a": ["type": "strin"]]]))
        #expect(badType.schemaLocation == "/properties/a/type")
        #expect(badType.message.contains("unknown type \"strin\""))
        #expect(compileError(["maxLength": -1])?.schemaLocation == "/maxLength")
        #expect(compileError(["minItems": 1.5])?.schemaLocation == "/minItems")
        #expect(compileError(["multipleOf": 0])?.message == "expected a number greater than 0")
        #expect(compileError(["pattern": "(unclosed"])?.schemaLocation == "/pattern")
        #expect(compileError(["required": ["a", 1]])?.schemaLocation == "/required")
        #expect(compileError(["allOf": []])?.schemaLocation == "/allOf")
        #expect(compileError(["items": 3])?.schemaLocation == "/items")
        #expect(compileError(42) != nil)
    }

    @Test func unresolvableReferencesFailAtCompileTime() throws {
        let missing = try #require(compileError(["$ref": "#/$defs/nope"]))
        #expect(missing.schemaLocation == "/$ref")
        #expect(missing.message.contains("nothing at that JSON Pointer"))
        let remote = try #require(compileError(["$ref": "https://example.com/tool.json"]))
        #expect(remote.message.contains("no schema is registered at https://example.com/tool.json"))
        let anchor = try #require(compileError(["$ref": "#nope"]))
        #expect(anchor.message.contains("no $anchor \"nope\""))
    }

    @Test func unknownMetaschemaIsAnError() throws {
        let error = try #require(compileError(["$schema": "https://example.com/my-dialect"]))
        #expect(error.schemaLocation == "/$schema")
        #expect(error.message.contains("unknown meta-schema"))
    }

    @Test func cyclicReferencesCompileAndTerminate() throws {
        let tree = try CompiledSchema([
            "$defs": [
                "node": [
                    "type": "object", "properties": ["children": ["type": "array", "items": ["$ref": "#/$defs/node"]]],
                ]
            ],
            "$ref": "#/$defs/node",
        ])
        #expect(tree.isValid(["children": [["children": []], ["children": [["children": []]]]]]))
        #expect(!tree.isValid(["children": [["children": [1]]]]))
    }

    @Test func booleanSchemas() throws {
        #expect(try CompiledSchema(true).isValid(["anything": [1, 2]]))
        let never = try CompiledSchema(false)
        #expect(!never.isValid(nil))
        #expect(never.validate(nil).errors.map(\.message) == ["no value is allowed here (the schema is false)"])
    }
}

@Suite struct SchemaRegistryTests {
    @Test func resolvesRegisteredDocumentsByURI() throws {
        var registry = SchemaRegistry()
        try registry.register(
            ["$defs": ["address": ["type": "object", "required": ["city"]]]], uri: "https://tools.example/common.json")
        let schema = try CompiledSchema(
            ["properties": ["to": ["$ref": "https://tools.example/common.json#/$defs/address"]]], registry: registry)
        #expect(schema.isValid(["to": ["city": "Paris"]]))
        let error = try #require(schema.validate(["to": [:]]).errors.first)
        #expect(error.schemaLocation == "https://tools.example/common.json#/$defs/address/required")
    }

    @Test func resolvesRelativeReferencesAgainstID() throws {
        var registry = SchemaRegistry()
        try registry.register(["type": "integer"], uri: "https://tools.example/schemas/count.json")
        let schema = try CompiledSchema(
            ["$id": "https://tools.example/schemas/tool.json", "properties": ["n": ["$ref": "count.json"]]],
            registry: registry)
        #expect(schema.isValid(["n": 3]))
        #expect(!schema.isValid(["n": "3"]))
    }

    @Test func embeddedResourcesAreFoundByID() throws {
        var registry = SchemaRegistry()
        try registry.register(
            ["$defs": ["inner": ["$id": "https://tools.example/inner.json", "type": "string"]]],
            uri: "https://tools.example/outer.json")
        let schema = try CompiledSchema(["$ref": "https://tools.example/inner.json"], registry: registry)
        #expect(schema.isValid("x"))
        #expect(!schema.isValid(1))
    }

    @Test func rejectsRelativeOrFragmentURIsAndNonSchemas() {
        var registry = SchemaRegistry()
        #expect(throws: SchemaCompileError.self) { try registry.register(true, uri: "relative/path.json") }
        #expect(throws: SchemaCompileError.self) { try registry.register(true, uri: "https://x.example/a#frag") }
        #expect(throws: SchemaCompileError.self) { try registry.register(3, uri: "https://x.example/a") }
    }

    @Test func bundledMetaschemasValidateSchemas() throws {
        let metaschema = try CompiledSchema(["$ref": "https://json-schema.org/draft/2020-12/schema"])
        #expect(metaschema.isValid(["type": "object", "properties": ["a": ["minLength": 1]]]))
        #expect(!metaschema.isValid(["type": "objekt"]))
        #expect(!metaschema.isValid(["minLength": -1]))
        let draft7 = try CompiledSchema(["$ref": "http://json-schema.org/draft-07/schema#"])
        #expect(draft7.isValid(["items": [["type": "string"]], "additionalItems": false]))
        #expect(!draft7.isValid(["required": "name"]))
        #expect(throws: SchemaCompileError.self) {
            try CompiledSchema(
                ["$ref": "https://json-schema.org/draft/2020-12/schema"],
                registry: SchemaRegistry(includingMetaschemas: false))
        }
    }

    @Test func everyBundledMetaschemaParses() throws {
        for (uri, text) in BundledMetaschemas.all {
            let value = try JSONValue(parsing: text)
            #expect(value["$id"]?.stringValue?.hasPrefix(uri) == true)
        }
        #expect(BundledMetaschemas.all.count == 9)
    }
}
