import Foundation
import SandboxSDK
import Testing

/// The failover's rules on a scripted transport: retryable failures are asked again of the next
/// node with the same request id; a definite answer is never asked again; attempts are bounded
/// and running out of them (or of time) denies.
@Suite struct RetryRulesTests {
    let nodes = (1...3).map { URL(string: "http://10.0.0.\($0):8080")! }

    func client(_ transport: ScriptedTransport, attempts: Int = 12) throws -> SandboxClient {
        var options = SandboxClientOptions()
        options.maxAttempts = attempts
        options.backoff = .milliseconds(1)
        options.deadline = .seconds(60)  // the attempts bound here, not the time
        return try SandboxClient(endpoints: nodes, agentID: "a", apiKey: "k", options: options, transport: transport)
    }

    @Test func retryableFailuresMoveToTheNextNodeWithTheSameRequestID() async throws {
        let transport = ScriptedTransport([.status(503), .refused, .status(502), .status(429), .status(200)])
        let client = try client(transport)
        let decision = await client.toolCall("crm.read")
        #expect(decision.isAllowed && decision.source == .server && decision.decisionID == 7)
        let asked = transport.requests
        #expect(asked.count == 5)
        #expect(Set(asked.map { $0.headers["Idempotency-Key"] }) == [decision.requestID])
        #expect(Set(asked.prefix(3).map { $0.url.host }).count == 3, "each node once before any twice")
        await client.close()
    }

    @Test func aDefiniteAnswerIsNeverAskedAgain() async throws {
        for status in [400, 401, 403, 404, 409] {
            let transport = ScriptedTransport([.status(status)])
            let client = try client(transport)
            let decision = await client.httpRequest(method: "GET", url: "https://a.example")
            #expect(decision.outcome == .deny && decision.source == .refused, "\(status)")
            #expect(decision.reason.contains("HTTP \(status) scripted"), "\(decision.reason)")
            #expect(transport.requests.count == 1, "\(status) asked \(transport.requests.count) times")
            await client.close()
        }
    }

    @Test func attemptsAreBoundedAndRunningOutDenies() async throws {
        let transport = ScriptedTransport([.status(503)])
        let client = try client(transport, attempts: 5)
        let decision = await client.toolCall("crm.read")
        #expect(
            decision.outcome == .deny && decision.reason == "sandbox unreachable" && decision.source == .unreachable)
        #expect(transport.requests.count == 5)
        let refused = ScriptedTransport([.refused])
        let other = try self.client(refused, attempts: 7)
        #expect(await other.toolCall("crm.read").reason == "sandbox unreachable")
        #expect(refused.requests.count == 7)
        await client.close()
        await other.close()
    }

    @Test func aNodeDrippingItsAnswerCannotHoldACallPastItsDeadline() async throws {
        let transport = ScriptedTransport([.drip])
        var options = SandboxClientOptions()
        // 300 ms attempts in a 3 s deadline: at load 30 a task's wake-up can come a second late,
        // and the second attempt must still start before the deadline.
        options.deadline = .seconds(3)
        options.attemptTimeout = .milliseconds(300)
        options.backoff = .milliseconds(1)
        let client = try SandboxClient(
            endpoints: nodes, agentID: "a", apiKey: "k", options: options, transport: transport)
        try await withClient(client) { client in
            let start = ContinuousClock.now
            let decision = await client.toolCall("crm.read")
            let took = ContinuousClock.now - start
            #expect(decision.source == .unreachable && decision.reason == "sandbox unreachable")
            #expect(took < .seconds(10), "took \(took) for a 3 s deadline (slack for a loaded machine)")
            #expect(transport.requests.count >= 2, "each attempt given up at its limit, the next node asked")
        }
    }

    @Test func eachNodeGetsItsShareOfTheTimeLeftSoAHungNodeCannotEatTheDeadline() async throws {
        let transport = ScriptedTransport([.drip])
        var options = SandboxClientOptions()
        options.deadline = .seconds(3)
        options.attemptTimeout = .milliseconds(2900)
        let client = try SandboxClient(
            endpoints: nodes, agentID: "a", apiKey: "k", options: options, transport: transport)
        try await withClient(client) { client in
            #expect(await client.toolCall("crm.read").source == .unreachable)
            // The first of three nodes gets a third of the 3 s, not the 2.9 s of attemptTimeout
            // (and the others have 2 s to be asked in, even on a loaded machine).
            let first = try #require(transport.timeouts.first)
            #expect(first <= .seconds(1), "\(transport.timeouts)")
            #expect(transport.requests.count >= 2, "another node asked after the hung one")
        }
    }
}
