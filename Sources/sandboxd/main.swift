import Foundation
import NIOCore
import NIOPosix
import SandboxServer

// sandboxd: one Agent Sandbox node (docs/cluster.md).
//
// Swift concurrency's jobs run on NIO's event loop threads (the ones that serve HTTP), not on a
// separate cooperative pool: a request's handler then resumes on the thread that reads and
// writes its connection instead of hopping between two pools (docs/cluster.md, "Threads").
// SANDBOX_EXECUTOR=swift keeps Swift's own pool. Installed before any task exists, from the
// main thread; synchronous top-level code, so no job is enqueued before the hook is set.
if ProcessInfo.processInfo.environment["SANDBOX_EXECUTOR"] != "swift" {
    _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
Task {
    let status = await SandboxServer.main(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
    exit(status)
}
dispatchMain()
