import ArgumentParser

@main
struct SandboxCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandboxctl",
        abstract: "Operate Agent Sandbox: validate schemas, check, evaluate and diff policies.",
        subcommands: [SchemaCommand.self, PolicyCommand.self]
    )
}
