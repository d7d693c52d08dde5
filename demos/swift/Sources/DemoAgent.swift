import ArgumentParser
import Foundation

/// The demo agent of scripts/demo (README, "The main command"): reads cluster/.local/seed.json
/// and runs the story against the seeded cluster.
@main
struct DemoAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-agent",
        abstract: "Runs the Agent Sandbox demo story against a cluster seeded by cluster/seed.")

    @Option(help: "The file cluster/seed wrote.")
    var seed = "cluster/.local/seed.json"

    @Option(help: "A shell command that kills the cluster's leader, run in the middle of the story.")
    var killLeader: String?

    func run() async throws {
        do {
            let story = try Story(seed: try DemoSeed.load(seed), killLeader: killLeader)
            try await story.run()
        } catch let failure as DemoFailure {
            FileHandle.standardError.write(Data("demo-agent: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }
}
