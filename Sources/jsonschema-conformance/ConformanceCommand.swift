import ArgumentParser
import Foundation
import JSON
import JSONSchema

/// Runs JSON-Schema-Test-Suite files against the validator.
@main
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonschema-conformance",
        abstract: "Run the official JSON Schema test suite against the JSONSchema module.",
        discussion: """
            Every *.json file under --tests (searched recursively) is an array of test groups. Remote \
            references to http://localhost:1234/PATH are served from --remotes/PATH through the schema \
            registry; nothing is fetched. Prints each failing case and ends with "N passed, N failed"; \
            exits 1 if any case fails.
            """
    )

    @Option(help: "Folder of test files (e.g. tests/draft2020-12).")
    var tests: String

    @Option(help: "Folder of remote schemas served as http://localhost:1234/.")
    var remotes: String

    @Option(help: "Draft for schemas without $schema: 2020-12 or 7.")
    var draft: String = "2020-12"

    @Flag(help: "Treat format as an assertion (for the optional format tests).")
    var assertFormats = false

    mutating func run() throws {
        guard let draft = SchemaDraft(rawValue: draft) else {
            throw ValidationError("unknown draft \(draft); use 2020-12 or 7")
        }
        var options = SchemaOptions()
        options.defaultDraft = draft
        options.assertFormats = assertFormats
        var registry = SchemaRegistry()
        for file in try Self.jsonFiles(under: remotes) {
            let relative = String(file.dropFirst(remotes.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            try registry.register(try Self.load(file), uri: "http://localhost:1234/" + relative)
        }
        var passed = 0
        var failed = 0
        for file in try Self.jsonFiles(under: tests) {
            let name = String(file.dropFirst(tests.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard case .array(let groups) = try Self.load(file) else {
                throw ValidationError("\(file): expected an array of test groups")
            }
            for group in groups {
                let groupName = group["description"]?.stringValue ?? "?"
                let cases = group["tests"]?.arrayValue ?? []
                let schema: CompiledSchema
                do {
                    schema = try CompiledSchema(group["schema"] ?? .bool(true), registry: registry, options: options)
                } catch {
                    print("FAIL \(name): \(groupName): schema does not compile: \(error)")
                    failed += cases.count
                    continue
                }
                for testCase in cases {
                    let expected = testCase["valid"]?.boolValue ?? false
                    let data = testCase["data"] ?? .null
                    let verdict = schema.isValid(data)
                    let report = schema.validate(data, reporting: .all)
                    let first = schema.validate(data, reporting: .first)
                    let consistent =
                        report.isValid == verdict && first.isValid == verdict && report.errors.isEmpty == verdict
                        && first.errors.count == (verdict ? 0 : 1)
                    if verdict == expected && consistent {
                        passed += 1
                        continue
                    }
                    failed += 1
                    let description = testCase["description"]?.stringValue ?? "?"
                    let problem =
                        verdict != expected
                        ? "expected \(expected ? "valid" : "invalid"), got \(verdict ? "valid" : "invalid")"
                        : "isValid and validate disagree (\(report.errors.count) errors)"
                    print("FAIL \(name): \(groupName) / \(description): \(problem)")
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    static func jsonFiles(under folder: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw ValidationError("cannot read folder \(folder)")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".json") { files.append(folder + "/" + relative) }
        }
        return files.sorted()
    }

    static func load(_ file: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        do {
            return try JSONValue(parsing: [UInt8](data))
        } catch {
            throw ValidationError("\(file): \(error)")
        }
    }
}
