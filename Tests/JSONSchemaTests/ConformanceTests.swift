import Foundation
import JSON
import Testing

@testable import JSONSchema

/// The official JSON-Schema-Test-Suite (draft 2020-12 required tests, copied into
/// Tests/Fixtures): every case must pass.
@Suite struct ConformanceTests {
    static let suiteRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/json-schema-test-suite")

    static func load(_ url: URL) throws -> JSONValue {
        try JSONValue(parsing: [UInt8](Data(contentsOf: url)))
    }

    static func registryWithRemotes() throws -> SchemaRegistry {
        var registry = SchemaRegistry()
        let remotes = suiteRoot.appendingPathComponent("remotes")
        let enumerator = FileManager.default.enumerator(atPath: remotes.path)!
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".json") else { continue }
            try registry.register(
                try load(remotes.appendingPathComponent(relative)), uri: "http://localhost:1234/" + relative)
        }
        return registry
    }

    @Test func everyDraft2020CasePasses() throws {
        let registry = try Self.registryWithRemotes()
        let folder = Self.suiteRoot.appendingPathComponent("tests/draft2020-12")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 46)
        var passed = 0
        var failures: [String] = []
        for file in files.sorted() {
            guard case .array(let groups) = try Self.load(folder.appendingPathComponent(file)) else {
                Issue.record("\(file) is not an array")
                continue
            }
            for group in groups {
                let name = "\(file): \(group["description"]?.stringValue ?? "")"
                let schema: CompiledSchema
                do {
                    schema = try CompiledSchema(group["schema"]!, registry: registry)
                } catch {
                    failures.append("\(name): \(error)")
                    continue
                }
                for testCase in group["tests"]?.arrayValue ?? [] {
                    let data = testCase["data"]!
                    let expected = testCase["valid"]!.boolValue!
                    let result = schema.validate(data)
                    if schema.isValid(data) == expected && result.isValid == expected
                        && result.errors.isEmpty == expected
                    {
                        passed += 1
                    } else {
                        failures.append("\(name) / \(testCase["description"]?.stringValue ?? "")")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "failing cases:\n\(failures.joined(separator: "\n"))")
        #expect(passed == 1299)
    }
}
