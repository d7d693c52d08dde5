import Foundation
import JSON
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
            let value = try YAMLDocument.parse(text).jsonValue
            let result = schema.validate(value)
            #expect(result.isValid, "\(file): \(result.errors.map(\.description))")
            _ = try PolicyDocument(yaml: text)
        }
    }

    @Test func generalRuleFormSatisfiesTheSchema() throws {
        let value = try YAMLDocument.parse(EvaluationTests.general).jsonValue
        #expect(schema.validate(value).isValid, "\(schema.validate(value).errors.map(\.description))")
    }

    @Test(arguments: [
        "tools:\n  alow: [a]\n", "rules:\n  - match: a\n", "budgets:\n  max_chain_depth: -1\n",
        "logging:\n  redact: [SSN]\n", "network:\n  ports: [0]\n", "rules:\n  - {match: a, action: maybe}\n",
    ])
    func policiesTheLoaderRejectsFailTheSchema(_ text: String) throws {
        #expect(!Fixtures.errors(text).isEmpty)
        #expect(!schema.isValid(try YAMLDocument.parse(text).jsonValue))
    }
}

/// The README's policy example is real: it loads, and decides as its comments say.
@Suite struct ReadmeExampleTests {
    @Test func readmePolicyExampleLoadsAndDecides() throws {
        let readme = try Fixtures.text("README.md")
        let section = try #require(readme.range(of: "## Policies in short"))
        let start = try #require(readme.range(of: "```yaml\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let yaml = String(readme[start.upperBound..<end.lowerBound])
        let schemaText = try Fixtures.text("policies/examples/schemas/email.send.json")
        let policy = try CompiledPolicy(yaml: yaml) { reference in
            #expect(reference == "schemas/email.send.json")
            return try JSONValue(parsing: schemaText)
        }
        #expect(policy.evaluate(Fixtures.call("payments.refund", ["amount": 500])).outcome == .deny)
        #expect(policy.evaluate(Fixtures.call("crm.read")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("https://eu.api.company.com/x")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://10.20.3.4/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://10.21.3.4/")).outcome == .deny)
    }
}
