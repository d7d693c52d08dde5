import Foundation
import Raft
import RaftSimulation
import RaftSimulationRocksDB
import Testing

/// The Raft simulator with every node on the RocksDB store the cluster runs (`raft-sim --storage
/// rocksdb`): the persistence contract checked end to end — appends and hard states, state
/// applied with its index, compaction behind it, snapshots sent as the state store's chunks and
/// installed state first, crashes as a close and a reopen from disk — under the simulator's
/// faults and safety checks. 200 seeds of 1,000 steps here; `LONG=1` runs 1,000 of 3,000
/// (`RAFT_SIM_ROCKSDB_SEEDS=N` sets the count). Databases go under /dev/shm when it exists and
/// has room (the same code; fdatasync is then nearly free), else the system temporary directory.
@Suite struct SimulationOnRocksDBTests {
    static let environment = ProcessInfo.processInfo.environment
    static var long: Bool { environment["LONG"] == "1" }

    static var seedCount: UInt64 {
        if let text = environment["RAFT_SIM_ROCKSDB_SEEDS"], let count = UInt64(text), count > 0 { return count }
        return long ? 1000 : 200
    }

    /// /dev/shm when it is a writable directory with room (a container's may hold only 64 MB;
    /// two runs at once take about 25 MB there), else nil: the system temporary directory.
    static var scratch: String? {
        let shm = "/dev/shm"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: shm, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.isWritableFile(atPath: shm),
            let free = try? FileManager.default.attributesOfFileSystem(forPath: shm)[.systemFreeSize] as? NSNumber,
            free.int64Value >= 512 << 20
        else { return nil }
        return shm
    }

    static func options() -> SimulationOptions {
        var options = SimulationOptions()
        options.steps = long ? 3000 : 1000
        let base = scratch
        options.nodeStores = { RocksDBNodeStoreFactory(base: base) }
        return options
    }

    /// Run directories this process left behind under `base`.
    static func leftovers() throws -> [String] {
        let base = scratch ?? FileManager.default.temporaryDirectory.path
        let prefix = "sandbox-raft-sim-\(getpid())-"
        return try FileManager.default.contentsOfDirectory(atPath: base).filter { $0.hasPrefix(prefix) }
    }

    @Test func clustersOnRocksDBKeepEverySafetyProperty() async throws {
        let count = Self.seedCount
        let reports = await SeedRunner.run(
            seeds: 1...count, options: Self.options(), parallelism: max(2, ProcessInfo.processInfo.activeProcessorCount)
        )
        let failures = reports.filter { !$0.passed }.prefix(10).map { "seed \($0.seed): \($0.violation!)" }
        #expect(reports.count == Int(count))
        #expect(
            failures.isEmpty, "\(failures.joined(separator: "\n"))\nreplay: raft-sim --storage rocksdb --seed S --trace"
        )
        // The runs did real work on the store: writes, crashes (reopens), snapshots installed
        // through the state installer, membership changes.
        let total = { (value: (SimulationReport) -> Int) in reports.map(value).reduce(0, +) }
        #expect(total(\.statistics.writesAcknowledged) > Int(count) * 10)
        #expect(total(\.statistics.crashes) > Int(count))
        #expect(total(\.statistics.snapshotsInstalled) > 0)
        #expect(total(\.statistics.membershipChangesApplied) > 0)
        #expect(try Self.leftovers().isEmpty, "every run removes its directory")
    }

    @Test func aSeedReplaysExactlyOnRocksDB() throws {
        var first: [String] = []
        var second: [String] = []
        let a = Simulation(seed: 7, options: Self.options()).run { first.append($0) }
        let b = Simulation(seed: 7, options: Self.options()).run { second.append($0) }
        #expect(a.passed && b.passed)
        #expect(first == second)
        #expect(first.count > 100)
    }
}
