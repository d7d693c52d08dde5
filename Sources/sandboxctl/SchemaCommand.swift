import ArgumentParser
import Foundation
import JSON
import JSONSchema

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "JSON Schema tools.",
        subcommands: [ValidateSchemaCommand.self]
    )
}

/// `sandboxctl schema validate --schema F --instance F`: exit 0 valid, 1 invalid, 2 unusable input.
struct ValidateSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a JSON document against a JSON Schema (draft 2020-12 or draft-07).",
        discussion: """
            Prints "valid", or one error per line ("<instance pointer>: <message> (schema <keyword \
            location>)"). Exit status: 0 valid, 1 invalid, 2 when a file cannot be read or is not \
            JSON, or the schema does not compile.
            """
    )

    @Option(help: "The schema file (JSON).")
    var schema: String

    @Option(help: "The instance file (JSON) to validate.")
    var instance: String

    @Flag(help: "Report every error (default: only the first).")
    var all = false

    @Flag(help: "Treat `format` as an assertion (email, uri, date-time, ipv4, ...).")
    var assertFormats = false

    @Option(help: "Draft for a schema without $schema: 2020-12 or 7.")
    var draft: String = "2020-12"

    func run() throws {
        guard let draft = SchemaDraft(rawValue: draft) else { fail("unknown draft \(draft); use 2020-12 or 7") }
        var options = SchemaOptions()
        options.assertFormats = assertFormats
        options.defaultDraft = draft
        let schemaValue = load(schema, what: "schema")
        let instanceValue = load(instance, what: "instance")
        let compiled: CompiledSchema
        do {
            compiled = try CompiledSchema(schemaValue, options: options)
        } catch {
            fail("schema \(schema) does not compile: \(error)")
        }
        let result = compiled.validate(instanceValue, reporting: all ? .all : .first)
        if result.isValid {
            print("valid")
            return
        }
        for error in result.errors {
            print("\(error.description) (schema \(error.schemaLocation.isEmpty ? "/" : error.schemaLocation))")
        }
        throw ExitCode(1)
    }

    private func load(_ path: String, what: String) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(what) file \(path)") }
        do {
            return try JSONValue(parsing: [UInt8](data))
        } catch {
            fail("\(what) \(path) is not valid JSON: \(error)")
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("sandboxctl: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
