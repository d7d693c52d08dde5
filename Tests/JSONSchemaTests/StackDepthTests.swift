import Foundation
import JSON
import Testing

@testable import JSONSchema

/// The nesting a validation accepts must not depend on the build (debug frames are several
/// times larger than release ones) or on the thread: the evaluation-depth limit, not the stack
/// guard, stops hostile nesting, also on a thread with a 512 KiB stack (macOS secondary threads;
/// Linux gives Dispatch and the Swift concurrency pool 8 MiB).
@Suite struct StackDepthTests {
    /// Where a small-stack thread leaves its findings; read only after the thread signalled.
    private final class Findings: @unchecked Sendable {
        // Written by the one thread before it signals the semaphore, read after the wait.
        var failures: [String] = []
    }

    /// Runs `body` on a new thread with a 512 KiB stack, waits (at most 60 s) for it, and returns
    /// what it found wrong (nil if it did not finish). Expectations are checked on the test's own
    /// thread, where Swift Testing attributes them to the test.
    private func onSmallStack(_ body: @escaping @Sendable () -> [String]) -> [String]? {
        let done = DispatchSemaphore(value: 0)
        let findings = Findings()
        let thread = Thread {
            findings.failures = body()
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        return done.wait(timeout: .now() + 60) == .success ? findings.failures : nil
    }

    /// Recursive schemas through every applicator that recurses, with a wrapper that nests an
    /// instance one level deeper.
    static let shapes: [(name: String, schema: JSONValue, wrap: @Sendable (JSONValue) -> JSONValue)] = [
        ("items", ["items": ["$ref": "#"]], { [$0] }),
        ("prefixItems", ["prefixItems": [["$ref": "#"]]], { [$0] }),
        ("properties", ["properties": ["a": ["$ref": "#"]]], { ["a": $0] }),
        ("additionalProperties", ["additionalProperties": ["$ref": "#"]], { ["a": $0] }),
        ("patternProperties", ["patternProperties": ["a": ["$ref": "#"]]], { ["a": $0] }),
        ("allOf", ["items": ["allOf": [["$ref": "#"]]]], { [$0] }),
        ("anyOf", ["items": ["anyOf": [["$ref": "#"]]]], { [$0] }),
        ("oneOf", ["items": ["oneOf": [["$ref": "#"]]]], { [$0] }),
        ("not", ["items": ["not": ["not": ["$ref": "#"]]]], { [$0] }),
        ("if", ["items": ["if": ["$ref": "#"], "then": ["$ref": "#"]]], { [$0] }),
        ("contains", ["contains": ["$ref": "#"]], { [$0] }),
        ("unevaluated", ["unevaluatedItems": ["$ref": "#"], "unevaluatedProperties": ["$ref": "#"]], { ["a": $0] }),
        (
            "unevaluated after allOf",
            ["allOf": [["properties": ["a": ["$ref": "#"]]]], "unevaluatedProperties": false],
            { ["a": $0] }
        ),
        ("dependentSchemas", ["dependentSchemas": ["a": ["properties": ["a": ["$ref": "#"]]]]], { ["a": $0] }),
        ("propertyNames", ["items": ["$ref": "#"], "propertyNames": ["$ref": "#"]], { [$0] }),
        ("dynamicRef", ["$dynamicAnchor": "x", "items": ["$dynamicRef": "#x"]], { [$0] }),
        (
            "draft-07 dependencies",
            [
                "$schema": "http://json-schema.org/draft-07/schema#",
                "dependencies": ["a": ["properties": ["a": ["$ref": "#"]]]],
            ],
            { ["a": $0] }
        ),
    ]

    @Test func theDepthLimitNotTheStackStopsDeepRecursionOnASmallStack() {
        let expected = "schema evaluation deeper than \(SchemaOptions().maxEvaluationDepth) levels (recursive schema?)"
        let failures = onSmallStack {
            var failures: [String] = []
            for shape in StackDepthTests.shapes {
                do {
                    let schema = try CompiledSchema(shape.schema)
                    var instance: JSONValue = 1
                    for _ in 0..<200 { instance = shape.wrap(instance) }
                    let result = schema.validate(instance)
                    let first = result.errors.first?.message ?? "none"
                    if result.isValid || first != expected { failures.append("\(shape.name): \(first)") }
                } catch {
                    failures.append("\(shape.name): \(error)")
                }
            }
            return failures
        }
        #expect(failures == [])
    }

    @Test func defaultParseDepthParsesAndCompilesOnASmallStack() {
        let failures = onSmallStack {
            let depth = 128
            let array = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let schema = String(repeating: "{\"items\":", count: depth) + "true" + String(repeating: "}", count: depth)
            do {
                _ = try JSONValue(parsing: array)
                _ = try CompiledSchema(try JSONValue(parsing: schema))
                // Built in memory, a schema can be nested deeper than the parser allows.
                var deeper: JSONValue = true
                for _ in 0..<400 { deeper = ["items": deeper] }
                let compiled = try CompiledSchema(deeper)
                return compiled.isValid([]) ? [] : ["the empty array is valid against nested items"]
            } catch {
                return ["\(error)"]
            }
        }
        #expect(failures == [])
    }

    @Test func validNestingWithinTheDefaultDepthPasses() throws {
        let schema = try CompiledSchema(["items": ["$ref": "#"]])
        var instance: JSONValue = 1
        // Each level is two evaluations (`items`' subschema, then the root again).
        for _ in 0..<(SchemaOptions().maxEvaluationDepth / 2 - 1) { instance = [instance] }
        #expect(schema.isValid(instance))
        #expect(!schema.isValid([[instance]]))
    }

    @Test func checkingARealisticSchemaAgainstTheMetaschemaFitsTheDefaultDepth() throws {
        let metaschema = try CompiledSchema(["$ref": "https://json-schema.org/draft/2020-12/schema"])
        // Checking against the meta-schema takes about six evaluation levels per level of the
        // schema (`allOf`, the vocabulary, `properties`, `$dynamicRef` back to the root), so the
        // default depth covers eight levels of nested objects, each with a property, an array
        // and a oneOf: deeper than tool-parameter schemas usually go. Ten levels need a larger
        // `maxEvaluationDepth` (and a thread with the stack for it).
        var schema: JSONValue = ["type": "string", "pattern": "^a"]
        for _ in 0..<8 {
            schema = [
                "type": "object", "required": ["next"],
                "properties": [
                    "next": schema, "list": ["type": "array", "items": ["oneOf": [true, ["type": "null"]]]],
                ],
            ]
        }
        let result = metaschema.validate(schema)
        #expect(result.isValid, "\(result.errors.first?.message ?? "")")
        #expect(!metaschema.isValid(["properties": ["next": ["type": "text"]]]))
        var deeper = schema
        for _ in 0..<2 { deeper = ["properties": ["next": deeper]] }
        #expect(metaschema.validate(deeper).errors.first?.message.hasPrefix("schema evaluation deeper than 64") == true)
        var options = SchemaOptions()
        options.maxEvaluationDepth = 128
        let deepMetaschema = try CompiledSchema(
            ["$ref": "https://json-schema.org/draft/2020-12/schema"], options: options)
        #expect(deepMetaschema.isValid(deeper))
    }
}
