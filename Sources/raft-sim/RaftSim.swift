import ArgumentParser
import Foundation
@_spi(Testing) import Raft
@_spi(Testing) import RaftSimulation
import RaftSimulationRocksDB

/// `raft-sim`: runs the deterministic Raft simulator over a range of seeds, or replays one.
@main
struct RaftSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft-sim",
        abstract: "Run Raft clusters under faults from seeds and check the safety properties.",
        discussion: """
            Examples:
              raft-sim --seeds 1..2000 --nodes 3 --steps 3000
              raft-sim --seed 42 --trace          (replay one seed, step by step)
              raft-sim --seeds 1..300 --storage rocksdb   (nodes on the RocksDB store)
            """
    )

    @Option(help: "A range of seeds, A..B (inclusive).")
    var seeds: String?

    @Option(help: "One seed to run (with --trace to print every step).")
    var seed: UInt64?

    @Option(help: "Initial voters (3, 5 or 7).")
    var nodes: Int = 3

    @Option(help: "Random events per seed before the liveness phase.")
    var steps: Int = 3000

    @Option(help: "Simulations run at once (the number of cores unless given).")
    var parallelism: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: """
            Where nodes persist: memory (Raft's MemoryLogStorage) or rocksdb (SandboxStorage's \
            store, one temporary directory per run, removed afterwards).
            """)
    var storage: String = "memory"

    @Flag(help: "Print what happens, step by step (one seed).")
    var trace = false

    @Flag(help: "Turn off partitions, crashes, membership changes and transfers.")
    var noFaults = false

    @Option(help: "Run a deliberately broken core or runtime: \(Self.mutationNames).")
    var mutation: String?

    static var mutationNames: String { Mutations.all.map(\.name).joined(separator: ", ") }

    func validate() throws {
        guard (seeds == nil) != (seed == nil) else { throw ValidationError("give either --seeds A..B or --seed S") }
        guard (1...9).contains(nodes) else { throw ValidationError("--nodes must be between 1 and 9") }
        guard steps >= 0 && steps <= 10_000_000 else { throw ValidationError("--steps must be 0...10000000") }
        guard parallelism >= 1 && parallelism <= 256 else { throw ValidationError("--parallelism must be 1...256") }
        if trace && seed == nil { throw ValidationError("--trace replays one seed: use --seed S") }
        guard ["memory", "rocksdb"].contains(storage) else {
            throw ValidationError("--storage must be memory or rocksdb (got \(storage))")
        }
    }

    func options() throws -> SimulationOptions {
        var options = SimulationOptions()
        options.nodes = nodes
        options.steps = steps
        options.faults = !noFaults
        if storage == "rocksdb" { options.nodeStores = { RocksDBNodeStoreFactory() } }
        if let mutation {
            guard let found = Mutations(named: mutation) else {
                throw ValidationError("unknown mutation \(mutation); known: \(Self.mutationNames)")
            }
            options.mutations = found
        }
        return options
    }

    func seedRange() throws -> ClosedRange<UInt64> {
        if let seed { return seed...seed }
        let parts = (seeds ?? "").components(separatedBy: "..")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else {
            throw ValidationError("--seeds must look like 1..2000 (got \(seeds ?? ""))")
        }
        return low...high
    }

    func run() async throws {
        let options = try options()
        let range = try seedRange()
        let started = ContinuousClock.now
        if trace, let seed {
            let report = Simulation(seed: seed, options: options).run { print($0) }
            print(summary(report))
            if !report.passed { throw ExitCode(1) }
            return
        }
        let reports = await SeedRunner.run(seeds: range, options: options, parallelism: parallelism) { report in
            if let violation = report.violation { print("seed \(report.seed) FAILED: \(violation)") }
        }
        let failed = reports.filter { !$0.passed }.count
        let elapsed = ContinuousClock.now - started
        if reports.count == 1, let report = reports.first { print(summary(report)) }
        let seconds = elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))
        print(
            "ran \(reports.count) seeds (\(options.nodes) voters, \(options.steps) steps each, \(storage) storage) in \(seconds)"
        )
        print("\(reports.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    func summary(_ report: SimulationReport) -> String {
        let s = report.statistics
        return """
            seed \(report.seed): \(report.passed ? "passed" : "FAILED") after \(report.steps) steps; \
            leaders \(s.leadersElected), highest term \(s.highestTerm), committed \(s.highestCommitted), \
            writes acknowledged \(s.writesAcknowledged), reads served \(s.readsServed), crashes \(s.crashes), \
            partitions \(s.partitions), snapshots \(s.snapshotsInstalled), membership changes \(s.membershipChangesApplied), \
            transfers \(s.transfersStarted), messages \(s.messagesDelivered), liveness ticks \(s.livenessTicks)
            """
    }
}
