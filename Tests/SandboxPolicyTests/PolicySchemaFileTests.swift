import Foundation
import JSONSchema
import Testing

@testable import SandboxPolicy

/// `docs/policy.schema.json` (the schema editors use for policy files) agrees with the loader.
@Suite struct PolicySchemaFileTests {
    let schema: CompiledSchema

    init() throws {
        schema = try CompiledSchema(JSONValue(parsing: Fixtures.text("docs/policy.schema.json")))
    }

    /// Every policy file in the repository loads and satisfies the schema.
    @Test func examplePoliciesSatisfyTheSchema() throws {
        let folder = Fixtures.root.appendingPathComponent("policies")
        let files =
            FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let value = try YAMLDocument.parse(text).jsonValue()
            let result = schema.validate(value)
            #expect(result.isValid, "\(file): \(result.errors.map(\.description))")
            _ = try PolicyDocument(yaml: text)
        }
    }

    @Test func generalRuleFormSatisfiesTheSchema() throws {
        let value = try YAMLDocument.parse(EvaluationTests.general).jsonValue()
        #expect(schema.validate(value).isValid, "\(schema.validate(value).errors.map(\.description))")
    }

    @Test(arguments: [
        "tools:\n  alow: [a]\n", "rules:\n  - match: a\n", "budgets:\n  max_chain_depth: -1\n",
        "logging:\n  redact: [SSN]\n", "network:\n  ports: [0]\n", "rules:\n  - {match: a, action: maybe}\n",
    ])
    func policiesTheLoaderRejectsFailTheSchema(_ text: String) throws {
        #expect(!Fixtures.errors(text).isEmpty)
        #expect(!schema.isValid(try YAMLDocument.parse(text).jsonValue()))
    }
}
