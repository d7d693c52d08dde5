import ArgumentParser

@main
struct SandboxCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandboxctl",
        abstract:
            "Operate Agent Sandbox: validate schemas, check, evaluate and diff policies, manage the cluster, "
            + "export and verify the audit log.",
        subcommands: [SchemaCommand.self, PolicyCommand.self, ClusterCommand.self, AuditCommand.self]
    )
}
