import ArgumentParser
import SandboxPolicy

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, evaluate and diff policies.",
        subcommands: []
    )
}
