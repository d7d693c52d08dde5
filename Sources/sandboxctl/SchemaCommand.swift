import ArgumentParser
import JSONSchema

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "JSON Schema tools.",
        subcommands: []
    )
}
