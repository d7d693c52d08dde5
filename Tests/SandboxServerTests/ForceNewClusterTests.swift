import Foundation
import Raft
import ServerTestSupport
import Testing

@testable import SandboxServer

/// Disaster recovery (`sandboxd recover --force-new-cluster`): the plan on its own, and on real
/// processes: three nodes under decision load, two lost for good, the third made the only voter
/// of its cluster; it serves every acknowledged decision and takes new members.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ForceNewClusterTests {
    @Test func thePlanMakesTheSurvivorTheOnlyVoterAboveEveryTermCommittingItsWholeLog() throws {
        let plan = try ForceNewCluster.plan(
            node: 2, hardState: HardState(term: 7, vote: 3, commit: 40), membership: ConfState(voters: [1, 2, 3]),
            lastIndex: 42, lastTerm: 7, changes: [ConfChange(.addLearner, node: 4), ConfChange(.addVoter, node: 3)])
        #expect(plan.removed == [1, 3, 4], "an unapplied change's node is removed too")
        #expect(plan.entries.map(\.index) == [43, 44, 45, 46])
        #expect(plan.entries.allSatisfy { $0.term == 8 && $0.kind == .configChange })
        #expect(
            try plan.entries.map { try ConfChange(decoding: $0.data) }
                == [ConfChange(.addVoter, node: 2)] + [1, 3, 4].map { ConfChange(.removeNode, node: $0) })
        #expect(plan.hardState == HardState(term: 8, vote: 2, commit: 46))
        // A last entry in a term above the hard state's (appended, not yet voted in): above it.
        let above = try ForceNewCluster.plan(
            node: 1, hardState: HardState(term: 3, vote: 1, commit: 5), membership: ConfState(voters: [1]),
            lastIndex: 9, lastTerm: 5, changes: [])
        #expect(above.hardState.term == 6 && above.removed.isEmpty)
    }

    @Test func thePlanRefusesAnEmptyLogAndAStranger() {
        #expect(throws: ForceNewCluster.Refusal.emptyLog) {
            try ForceNewCluster.plan(
                node: 1, hardState: HardState(), membership: ConfState(), lastIndex: 0, lastTerm: 0, changes: [])
        }
        #expect(throws: ForceNewCluster.Refusal.notAMember(node: 5, known: [1, 2, 3])) {
            try ForceNewCluster.plan(
                node: 5, hardState: HardState(term: 2, vote: 1, commit: 3), membership: ConfState(voters: [1, 2, 3]),
                lastIndex: 3, lastTerm: 2, changes: [])
        }
    }

    /// `sandboxd recover ARGUMENTS`: its exit status and output.
    func recover(_ arguments: [String]) throws -> (Int32, String) {
        try LocalCluster.runCommand(["recover"] + arguments)
    }

    @Test func aSurvivorForcedIntoANewClusterKeepsEveryAcknowledgedDecisionAndTakesNewMembers() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 10_000_000)
        let load = DecisionLoad(cluster: cluster, nodes: [1, 2, 3])
        try await Task.sleep(for: .seconds(2))
        await load.waitUntilMoreThan(10, within: .seconds(30))
        let acknowledged = await load.stop().acknowledged
        #expect(acknowledged.count > 10, "the load made progress: \(acknowledged.count)")
        try await cluster.waitForConvergence([1, 2, 3])
        let data = cluster.directory.subpath("node-1")

        let live = try recover(["--data-dir", data, "--node-id", "1", "--force-new-cluster"])
        #expect(live.0 == 2 && live.1.contains("refused: a node runs on"), "\(live)")
        for node in [2, 3] {
            cluster.kill(node, signal: SIGKILL)
            try FileManager.default.removeItem(atPath: cluster.directory.subpath("node-\(node)"))
        }
        cluster.kill(1, signal: SIGKILL)
        let dry = try recover(["--data-dir", data, "--node-id", "1"])
        #expect(dry.0 == 2 && dry.1.contains("refused without --force-new-cluster"), "\(dry)")
        let stranger = try recover(["--data-dir", data, "--node-id", "7", "--force-new-cluster"])
        #expect(stranger.0 != 0 && stranger.1.contains("not a member"), "\(stranger)")
        let forced = try recover(["--data-dir", data, "--node-id", "1", "--force-new-cluster"])
        #expect(forced.0 == 0 && forced.1.contains("FORCED A NEW CLUSTER"), "\(forced)")

        try cluster.start(1)
        try await waitFor("node 1 to lead alone") {
            let status = await cluster.call(1, "GET", "/v1/cluster")?.body ?? [:]
            return status["voters"] as? [Int] == [1] && status["role"] as? String == "leader"
        }
        for (id, decision) in acknowledged.sorted(by: { $0.key < $1.key }) {
            let replay = await cluster.decideUntilDefinite(on: 1, id: id)
            #expect(replay?.body["decision_id"] as? Int == decision, "\(id): \(String(describing: replay))")
            #expect(replay?.body["replayed"] as? Bool == true)
        }
        #expect(await cluster.decideRetrying("after-recovery", on: [1]) != nil)

        // New members with empty data directories join and catch up.
        for node in [2, 3] {
            try cluster.start(node, join: true)
            var added: (status: Int, body: [String: Any])?
            try await waitFor("node \(node) added") {
                added = await cluster.admin(
                    1, "POST", "/v1/cluster/members",
                    #"{"id": \#(node), "peer": "\#(cluster.peerAddress(node))", "http": "\#(cluster.httpAddress(node))", "role": "voter"}"#
                )
                return added != nil && added?.status != 503 && added?.status != 504
            }
            #expect(added?.status == 200, "\(String(describing: added))")
        }
        try await waitFor("three voters again") {
            await cluster.call(1, "GET", "/v1/cluster")?.body["voters"] as? [Int] == [1, 2, 3]
        }
        #expect(await cluster.decideRetrying("on-new-member", on: [2, 3]) != nil)
        try await cluster.waitForConvergence([1, 2, 3])
    }
}
