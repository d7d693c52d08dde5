import Foundation
import JSON
import SandboxSDK
import ServerTestSupport
import Testing

/// The client against a live 3-node cluster: the node in use killed mid-run changes nothing the
/// agent sees but a pause (every decision allowed, each debited once: the ledger counts exactly
/// the decisions made), also when it dies while holding a call, and with every node down the
/// answer is `deny` "sandbox unreachable" within the deadline.
@Suite(.serialized, .timeLimit(.minutes(4))) struct FailoverTests {
    @Test func killingTheNodeInUseLosesNothingAndDebitsOnceThenAllDownFailsClosed() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 1_000)
        let leader = try #require(await cluster.leader(among: [1, 2, 3]))
        let decisions = try await withClient(try cluster.client()) { client in
            var decisions: [Decision] = []
            for call in 0..<30 {
                if call == 10 { cluster.kill(leader, signal: SIGKILL) }
                decisions.append(await client.toolCall("crm.read", params: ["customer": .string("c-\(call)")]))
            }
            return decisions
        }
        let refused = decisions.filter { !$0.isAllowed }.map { "\($0.source) \($0.reason)" }
        #expect(refused.isEmpty, "\(refused)")
        #expect(decisions.allSatisfy { $0.source == .server && $0.decisionID != nil })
        #expect(Set(decisions.compactMap(\.decisionID)).count == 30, "one audit record per decision")
        #expect(Set(decisions.map(\.requestID)).count == 30)
        let survivor = [1, 2, 3].first { $0 != leader }!
        #expect(await cluster.requestsToday(on: survivor) == 30, "each decision debited once")

        // An answer lost after the node applied the request: asked again with the same request
        // id on the next node, which answers the stored decision; the ledger counts it once.
        let losing = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            transport: LosingTransport(losing: 1, of: "/v1/decisions"))
        let retried = await losing.toolCall("crm.read", params: ["customer": "lost"])
        #expect(retried.isAllowed && retried.replayed, "\(retried)")
        #expect(await cluster.requestsToday(on: survivor) == 31, "the lost answer's request debited once")
        await losing.close()

        // Every node down: denied, fast, within the deadline.
        for node in [1, 2, 3] where node != leader { cluster.kill(node, signal: SIGKILL) }
        let closed = try cluster.client {
            $0.deadline = .seconds(2)
            $0.attemptTimeout = .seconds(1)
        }
        try await withClient(closed) { closed in
            for _ in 0..<2 {
                let started = ContinuousClock.now
                let denied = await closed.toolCall("crm.read", params: [:])
                let elapsed = ContinuousClock.now - started
                #expect(
                    denied.outcome == .deny && denied.reason == "sandbox unreachable" && denied.source == .unreachable)
                // The 2 s deadline, plus slack for a loaded test process.
                #expect(elapsed < .seconds(5), "answered within the deadline: \(elapsed)")
            }
            let http = await closed.httpRequest(method: "GET", url: "https://api.company.com/x")
            #expect(http.outcome == .deny && http.reason == "sandbox unreachable")
        }
    }

    /// The leader killed while it holds a call (the request sent, the answer not yet read): the
    /// call is asked again of another node with the same request id and allowed, and the ledger
    /// counts it once whether the dead node decided it or not. Three rounds, the kill coming
    /// after 2, 10 and 30 ms; the killed node is started again between rounds.
    @Test func aNodeKilledDuringACallIsRetriedElsewhereAndDebitedOnce() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 1_000)
        var retried = 0
        for (round, delay) in [2, 10, 30].enumerated() {
            try await cluster.waitUntilReady([1, 2, 3])
            let leader = try #require(await cluster.leader(among: [1, 2, 3]))
            let before = try #require(await cluster.requestsToday(on: leader))
            let transport = KillingTransport(killing: 1, during: "/v1/decisions", after: .milliseconds(delay)) {
                [cluster] _ in cluster.signal(leader, SIGKILL)
            }
            // The leader first, so the call starts on the node that is killed.
            let nodes = [leader] + [1, 2, 3].filter { $0 != leader }
            var options = SandboxClientOptions()
            options.deadline = .seconds(30)  // an election on a loaded 2-core machine
            let client = try SandboxClient(
                endpoints: nodes.map { cluster.endpoints[$0 - 1] }, agentID: "sales", apiKey: LocalCluster.agentKey,
                options: options, transport: transport)
            let decision = try await withClient(client) {
                await $0.toolCall("crm.read", params: ["round": .string("r\(round)")])
            }
            cluster.waitForExit(leader)
            #expect(decision.isAllowed && decision.source == .server, "round \(round): \(decision)")
            let asked = transport.requests
            #expect(asked.first?.url.port == cluster.endpoints[leader - 1].port, "the call started on the leader")
            #expect(Set(asked.map { $0.headers["Idempotency-Key"] }) == [decision.requestID], "one request id")
            if asked.count > 1 { retried += 1 }
            let survivor = nodes[1]
            try await waitFor("the ledger on node \(survivor)") { await cluster.requestsToday(on: survivor) != nil }
            #expect(await cluster.requestsToday(on: survivor) == before + 1, "round \(round): debited once")
            try cluster.start(leader)
        }
        #expect(retried >= 1, "at least one call was asked again after its node died")
    }
}
