import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// Crash tests over real processes: `storage-crash-worker` is killed with SIGKILL at random
/// moments; the database must then open and hold everything reported durable.
///
/// CI runs 50 kill cycles. Long mode: `STORAGE_CRASH_CYCLES=N` (or `LONG=1` for 500).
/// `STORAGE_CRASH_SEED` replays a run's random choices (kill timing still varies).
@Suite(.serialized) struct CrashTests {
    static let environment = ProcessInfo.processInfo.environment
    static let cycles: Int =
        environment["STORAGE_CRASH_CYCLES"].flatMap(Int.init) ?? (environment["LONG"] == "1" ? 500 : 50)
    /// Wall-clock bound of the kill loop; far above what 50 cycles take (about 20 s).
    static let timeBudget: Double = max(180, Double(cycles) * 2)

    @Test func killedLogWorkerLosesNothingReportedDurable() throws {
        let directory = TemporaryDirectory("crash-log")
        let database = directory.subpath("db")
        let seed = Self.environment["STORAGE_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        var random = TestRandom(seed: seed)
        var model = CrashModel()
        var acknowledged = 0
        var killedWhileWorking = 0
        var inFlightFoundDurable = 0
        // Kills after which the state opened behind the last apply reported: the unflushed
        // applies were lost and are re-applied from the log (state writes skip the WAL).
        var appliesLost = 0
        let started = Date()
        for cycle in 0..<Self.cycles {
            let context = "cycle \(cycle), STORAGE_CRASH_SEED=\(seed)"
            guard Date().timeIntervalSince(started) < Self.timeBudget else {
                Issue.record("time budget of \(Self.timeBudget) s spent after \(cycle) cycles (\(context))")
                return
            }
            let worker = try WorkerProcess(
                ["log", database, String(random.next()), "30"], errorFile: directory.subpath("stderr"))
            // One kill in five lands at a random moment after the start (often during the open
            // and recovery); the others at a random moment after the worker reports it is ready,
            // so that a slow start on a loaded machine does not leave the cycles without work.
            if random.below(5) == 0 {
                usleep(UInt32(random.below(150_000)))
            } else {
                _ = worker.waitForLine(timeout: 60) { $0.hasPrefix("R ") }
                usleep(UInt32(1_000 + random.below(200_000)))
            }
            worker.kill()
            guard worker.waitForExit() else {
                Issue.record("worker did not exit after SIGKILL (\(context))")
                return
            }
            guard worker.wasKilled else {
                Issue.record("worker exited by itself (\(context)): \(worker.errorOutput)")
                return
            }
            let lines = worker.lines
            if let ready = lines.first, ready.hasPrefix("R ") {
                let expected = "R \(model.snapshotIndex + 1) \(model.lastIndex)"
                #expect(ready.hasPrefix(expected + " "), "worker opened \(ready), expected \(expected) (\(context))")
            }
            let (acked, pending) = try model.folding(lines)
            acknowledged += lines.filter { $0 == "D" }.count
            if pending != nil { killedWhileWorking += 1 }
            let storage = try openStorage(database)
            defer { storage.close() }
            var matched = acked
            if let mismatch = try acked.mismatch(in: storage) {
                guard let pending else {
                    Issue.record("log differs from what was reported durable: \(mismatch) (\(context))")
                    return
                }
                let withPending = acked.applying(pending)
                if let other = try withPending.mismatch(in: storage) {
                    let message =
                        "log matches neither the durable reports (\(mismatch)) nor them plus the operation in "
                        + "flight \(pending) (\(other)) (\(context))"
                    Issue.record(Comment(rawValue: message))
                    return
                }
                matched = withPending
                inFlightFoundDurable += 1
            }
            do {
                try matched.checkState(in: storage)
            } catch {
                Issue.record("\(error) (\(context))")
                return
            }
            matched.durableApplied = storage.state.appliedIndex()
            if let reported = lines.last(where: { $0.hasPrefix("P ") }).flatMap({ UInt64($0.dropFirst(2)) }),
                matched.durableApplied < reported
            {
                appliesLost += 1
            }
            model = matched
        }
        // The test means something only if the workers got work done between kills.
        #expect(
            acknowledged >= Self.cycles / 2, "only \(acknowledged) operations acknowledged in \(Self.cycles) cycles")
        #expect(killedWhileWorking > 0, "no kill landed while an operation was in flight")
        #expect(appliesLost > 0, "no kill lost an unflushed apply: the re-apply path went untested")
        print(
            "storage crash test: \(Self.cycles) kills, \(acknowledged) operations acknowledged, "
                + "\(killedWhileWorking) kills during an operation (\(inFlightFoundDurable) of those found on disk), "
                + "\(appliesLost) opened behind the last reported apply, "
                + "log at \(model.snapshotIndex + 1)...\(model.lastIndex), seed \(seed)")
        #expect(model.lastIndex > 0)
    }
}

extension CrashTests {
    /// Kills `storage-crash-worker install` at random points of a snapshot installation: the
    /// target must reopen with either its old state, whole, or the snapshot's, whole — and the
    /// snapshot's whenever the worker reported it finished.
    @Test func killedInstallationLeavesThePreviousStateUsable() throws {
        let directory = TemporaryDirectory("crash-install")
        let keys = 60_000
        let snapshotIndex: UInt64 = 12
        let source = try SnapshotTests.makeSource(at: directory.subpath("source"), keys: keys, applied: snapshotIndex)
        let reader = try source.state.makeSnapshot(maxChunkBytes: 16 << 10)
        var file: [UInt8] = []
        var chunks = 0
        while let chunk = try reader.nextChunk(), chunks < 100_000 {
            let encoded = chunk.encoded()
            file.appendBigEndian(UInt32(encoded.count))
            file += encoded
            chunks += 1
        }
        source.close()
        let chunkFile = directory.subpath("chunks")
        try Data(file).write(to: URL(fileURLWithPath: chunkFile))

        let seed = Self.environment["STORAGE_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        var random = TestRandom(seed: seed)
        let rounds = Self.environment["LONG"] == "1" ? 40 : 8
        var outcomes = (old: 0, new: 0)
        for round in 0..<rounds {
            let context = "round \(round), STORAGE_CRASH_SEED=\(seed)"
            let target = directory.subpath("target-\(round)")
            try SnapshotTests.makeSource(at: target, keys: 500, applied: 3, keyPrefix: "old/").close()
            let worker = try WorkerProcess(
                ["install", target, chunkFile, String(snapshotIndex), "2", "500"],
                errorFile: directory.subpath("stderr"))
            // The last round runs to completion; the others die after a random number of chunks,
            // or while finishing.
            if round < rounds - 1 {
                let killAfter = random.below(UInt64(chunks) + 2)
                let marker = killAfter > UInt64(chunks) ? "F" : "C \(killAfter)"
                _ = worker.waitForLine(timeout: 60) { $0 == marker || $0 == "D" }
                worker.kill()
            }
            guard worker.waitForExit() else {
                Issue.record("worker did not exit (\(context))")
                return
            }
            if round == rounds - 1, !worker.exitedNormally {
                Issue.record("installation failed (\(context)): \(worker.errorOutput)")
                return
            }
            let finished = worker.lines.contains("D")
            let storage = try openStorage(target)
            defer { storage.close() }
            let oldKeys = try storage.state.scan(prefix: [UInt8]("old/"), limit: 1000).count
            let newKeys = try storage.state.scan(prefix: [UInt8]("key/"), limit: 100_000).count
            let applied = storage.state.appliedIndex()
            if applied == snapshotIndex {
                #expect(
                    oldKeys == 0 && newKeys == keys, "new state incomplete: \(oldKeys) old, \(newKeys) new (\(context))"
                )
                #expect(try storage.log.firstIndex() == snapshotIndex + 1)
                outcomes.new += 1
            } else {
                #expect(
                    !finished, "the worker reported the installation finished, but the old state is back (\(context))")
                #expect(
                    applied == 3 && oldKeys == 500 && newKeys == 0,
                    "old state damaged: applied \(applied), \(oldKeys) old, \(newKeys) new (\(context))")
                #expect(try storage.log.lastIndex() == 3)
                outcomes.old += 1
            }
        }
        #expect(outcomes.new >= 1)
        #expect(outcomes.old >= 1, "no kill landed before the switch in \(rounds) rounds (\(seed))")
    }
}

/// splitmix64, as in the worker.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: UInt64) -> UInt64 { bound == 0 ? 0 : next() % bound }
}
