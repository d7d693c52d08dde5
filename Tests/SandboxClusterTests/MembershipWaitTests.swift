import ClusterTestSupport
import Foundation
import Raft
import Testing

@testable import SandboxCluster

/// A membership change proposed by a leader that loses leadership before it commits is answered,
/// not left waiting: the chaos runs' membership adds on a deposed leader never ended, because
/// only a membership entry applied at the change's index answered its caller.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MembershipWaitTests {
    /// The leader, cut off, appends a change it cannot commit; the others elect a leader whose
    /// entries take that index; healed, the old leader applies them in place of its change.
    @Test func aChangeReplacedByTheNextLeadersEntriesIsAnsweredNotApplied() async throws {
        let cluster = try TestCluster(configure: Self.slowElections)  // 30 s for membership changes
        let (old, outcome) = try await changeOnADeposedLeader(in: cluster, entriesAfter: 5)
        let answer = try await cluster.eventually(.seconds(20), "the change's answer") { outcome.value }
        guard case .failure(.notApplied) = answer else {
            Issue.record("the replaced change was answered \(answer), not notApplied")
            return
        }
        #expect(old.status.counters.snapshotsInstalled == 0, "caught up by snapshot: not the case under test")
        #expect(!old.status.membership.learners.contains(9), "the replaced change took effect")
    }

    /// The same, with the old leader brought back by a snapshot past its change: answered
    /// retryably (the snapshot may or may not hold the change).
    @Test func aChangePassedByASnapshotIsAnsweredRetryably() async throws {
        let cluster = try TestCluster {
            Self.slowElections(&$0)
            $0.compactionThreshold = 40
            $0.compactionRetain = 10
        }
        let (old, outcome) = try await changeOnADeposedLeader(in: cluster, entriesAfter: 120)
        let answer = try await cluster.eventually(.seconds(20), "the change's answer") { outcome.value }
        guard case .failure(let error) = answer else {
            Issue.record("a change that never committed was answered applied")
            return
        }
        #expect(error.isRetryable)
        #expect(old.status.counters.snapshotsInstalled > 0, "caught up from the log: not the case under test")
    }

    /// Elections after 3-6 s (10 ms ticks): the leader cut off still leads, by CheckQuorum, for
    /// long enough to append the change (else it is refused: a pass that tests nothing). At 1-2 s
    /// a loaded CI machine (ci19) let it step down first: "not applied (noLeader)".
    static func slowElections(_ config: inout DriverConfig) {
        config.raft.electionTicks = 300
    }

    /// Cuts the leader off, has it propose adding learner 9, lets the others elect a leader and
    /// commit `entriesAfter` entries, then heals the old leader; returns it and the change's
    /// outcome as it arrives.
    ///
    /// The cut-off leader must append the change before CheckQuorum makes it step down (3-6 s);
    /// on a machine loaded enough to delay it past that (ci19 at 1-2 s; last session's CI at
    /// 3-6 s), the change is refused (`noLeader`) and the run tests nothing: that attempt is
    /// healed and the scenario starts again on the next leader, at most three times.
    private func changeOnADeposedLeader(in cluster: TestCluster, entriesAfter: Int) async throws -> (
        old: RaftDriver<CounterMachine>, outcome: Outcome
    ) {
        var refusals: [String] = []
        for _ in 0..<3 {
            let old = try await cluster.leader()
            let driver = cluster.driver(old)
            let outcome = Outcome()
            let lastBefore = driver.status.lastIndex
            cluster.network.isolate(old)
            Task {
                do {
                    outcome.set(.success(try await driver.changeMembership(ConfChange(.addLearner, node: 9))))
                } catch let error as ClusterError {
                    outcome.set(.failure(error))
                }
            }
            let appended = try await cluster.eventually(.seconds(30), "the change appended or answered") {
                driver.status.lastIndex > lastBefore ? true : outcome.value.map { _ in false }
            }
            guard appended else {
                refusals.append("\(String(describing: outcome.value))")
                cluster.network.heal(old)
                continue
            }
            let others = cluster.ids.filter { $0 != old }
            let next = try await ClusterProbe.leader(of: others.map { cluster.driver($0) })
            for n in 0..<entriesAfter { _ = try await cluster.driver(next).propose(Array("after-\(n)".utf8)) }
            cluster.network.heal(old)
            return (driver, outcome)
        }
        throw TestCluster.SetupFailed(what: "the change was answered before it was appended, 3 times: \(refusals)")
    }
}

/// The change's result, set once from its task.
final class Outcome: @unchecked Sendable {  // `@unchecked`: `result` is guarded by `lock`.
    private let lock = NSLock()
    private var result: Result<ConfState, ClusterError>?

    var value: Result<ConfState, ClusterError>? { lock.withLock { result } }

    func set(_ value: Result<ConfState, ClusterError>) { lock.withLock { result = value } }
}
