import Foundation
import SandboxServer

// sandboxd: one Agent Sandbox node (docs/cluster.md).
let status = await SandboxServer.main(
    arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
exit(status)
