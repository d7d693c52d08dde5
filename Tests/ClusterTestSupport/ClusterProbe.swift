import Foundation
import Raft
import SandboxCluster
import SandboxStorage

/// Waiting for and checking what a test cluster of `CounterMachine` drivers did.
public enum ClusterProbe {
    public typealias Driver = RaftDriver<CounterMachine>

    public struct TimeoutError: Error, CustomStringConvertible {
        public var what: String
        public var description: String { "timed out waiting for \(what)" }
    }

    /// Polls `check` every 20 ms until it returns a value or `timeout` passes.
    public static func eventually<T>(_ timeout: Duration, _ what: String, _ check: () throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try check() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimeoutError(what: what)
    }

    /// The leader every running driver agrees on.
    public static func leader(of drivers: [Driver], within timeout: Duration = .seconds(30)) async throws -> NodeID {
        try await eventually(timeout, "a leader") {
            let leaders = Set(drivers.map { $0.status.leader })
            guard leaders.count == 1, let leader = leaders.first, leader != 0,
                drivers.contains(where: { $0.id == leader && $0.status.role == .leader })
            else { return nil }
            return leader
        }
    }

    /// Waits until every driver has applied the same index and every store holds the same
    /// state; returns that state.
    public static func converged(
        _ nodes: [(driver: Driver, state: StateStore)], within timeout: Duration = .seconds(20)
    )
        async throws -> [[UInt8]: [UInt8]]
    {
        try await eventually(timeout, "convergence") {
            let applied = Set(nodes.map { $0.driver.status.appliedIndex })
            let commits = Set(nodes.map { $0.driver.status.commitIndex })
            guard applied.count == 1, commits == applied else { return nil }
            let states = try nodes.map { try contents(of: $0.state) }
            return states.dropFirst().allSatisfy { $0 == states[0] } ? states[0] : nil
        }
    }

    public static func contents(of state: StateStore) throws -> [[UInt8]: [UInt8]] {
        var all: [[UInt8]: [UInt8]] = [:]
        var after: [UInt8]? = nil
        while true {
            let page = try state.scan(prefix: [], startingAfter: after, limit: 10_000)
            for entry in page { all[entry.key] = entry.value }
            guard page.count == 10_000, let last = page.last else { return all }
            after = last.key
        }
    }

    /// What happened to a set of concurrent proposals.
    public struct Outcomes: Sendable {
        /// Applied, with each command's result.
        public var acknowledged: [String: UInt64] = [:]
        /// Maybe applied (the leader changed before answering): not retried, since the counter
        /// machine has no request ids to make a retry idempotent.
        public var unknown: Set<String> = []
        /// Failed otherwise, with the error.
        public var failed: [String: String] = [:]
    }

    /// Proposes `commands` concurrently, round-robin over `drivers`; returns those acknowledged
    /// with their results.
    /// With a `gate`, every proposal waits for it (the caller opens it once `gate.waiting`
    /// shows them all), so that they reach the drivers in one burst.
    public static func proposeAll(_ commands: [String], on drivers: [Driver], gate: Gate? = nil) async -> [String:
        UInt64]
    {
        await proposeAllOutcomes(commands, on: drivers, gate: gate).acknowledged
    }

    /// `proposeAll` that tells every outcome apart. A proposal that was certainly not applied
    /// (replaced by a later leader's entry, no leader in time, overloaded) is proposed again,
    /// at most `attempts` times, as a client would; an unknown outcome is not.
    public static func proposeAllOutcomes(
        _ commands: [String], on drivers: [Driver], gate: Gate? = nil, attempts: Int = 5
    ) async -> Outcomes {
        await withTaskGroup(of: (String, Result<UInt64, ClusterError>).self) { group in
            for (offset, command) in commands.enumerated() {
                let driver = drivers[offset % drivers.count]
                group.addTask {
                    await gate?.wait()
                    return (command, await propose(command, on: driver, attempts: attempts))
                }
            }
            var outcomes = Outcomes()
            for await (command, result) in group {
                switch result {
                case .success(let value): outcomes.acknowledged[command] = value
                case .failure(.unknownOutcome): outcomes.unknown.insert(command)
                case .failure(let error): outcomes.failed[command] = "\(error)"
                }
            }
            return outcomes
        }
    }

    private static func propose(_ command: String, on driver: Driver, attempts: Int) async -> Result<
        UInt64, ClusterError
    > {
        var last = ClusterError.notApplied("not proposed")
        for attempt in 0..<max(1, attempts) {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(100 * attempt)) }
            do {
                return .success(try await driver.propose(Array(command.utf8)))
            } catch let error as ClusterError {
                last = error
                switch error {
                case .notApplied, .overloaded: continue
                default: return .failure(error)
                }
            } catch {
                return .failure(.invalid("\(error)"))
            }
        }
        return .failure(last)
    }

    /// The commands applied in `state` (by index), and those applied more than once.
    public static func applied(in state: [[UInt8]: [UInt8]]) -> (commands: Set<String>, duplicates: Int) {
        let applied = state.filter { $0.key.starts(with: Array("entry/".utf8)) }.map {
            String(decoding: $0.value, as: UTF8.self)
        }
        return (Set(applied), applied.count - Set(applied).count)
    }
}
