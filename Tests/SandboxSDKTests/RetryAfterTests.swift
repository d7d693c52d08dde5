import Foundation
import SandboxSDK
import Testing

/// A node's `Retry-After` on 429 or 503 (seconds or an HTTP date) is honoured before that node
/// is asked again, cut to `maxRetryAfter` and to the deadline; the other nodes are asked meanwhile.
@Suite struct RetryAfterTests {
    let one = [URL(string: "http://10.0.0.1:8080")!]

    func client(
        _ transport: ScriptedTransport, nodes: [URL]? = nil, _ change: (inout SandboxClientOptions) -> Void = { _ in }
    )
        throws -> SandboxClient
    {
        var options = SandboxClientOptions()
        options.backoff = .milliseconds(1)
        change(&options)
        return try SandboxClient(
            endpoints: nodes ?? one, agentID: "a", apiKey: "k", options: options, transport: transport)
    }

    func timed(_ client: SandboxClient) async -> (Decision, Duration) {
        let start = ContinuousClock.now
        let decision = await client.toolCall("crm.read")
        return (decision, ContinuousClock.now - start)
    }

    @Test func secondsAreWaitedBeforeTheNodeIsAskedAgain() async throws {
        for status in [429, 503] {
            let transport = ScriptedTransport([.retryAfter(status, "1"), .status(200)])
            let client = try client(transport)
            let (decision, took) = await timed(client)
            #expect(decision.isAllowed && transport.requests.count == 2, "\(status)")
            #expect(took >= .milliseconds(950), "\(status): asked again after \(took), not 1 s")
            await client.close()
        }
    }

    @Test func anHTTPDateIsWaitedUntil() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Whole seconds: 3 s ahead is at least 2 s ahead once the fraction is cut, so at least
        // 1 s is left to wait even if the answer is read a second late (a loaded machine).
        let date = formatter.string(from: Date().addingTimeInterval(3))
        let transport = ScriptedTransport([.retryAfter(503, date), .status(200)])
        let client = try client(transport)
        let (decision, took) = await timed(client)
        #expect(decision.isAllowed)
        #expect(took >= .milliseconds(950), "asked again after \(took) for \(date)")
        await client.close()
    }

    @Test func theWaitIsCutToMaxRetryAfterAndTheDeadline() async throws {
        let capped = ScriptedTransport([.retryAfter(503, "3600"), .status(200)])
        let client = try client(capped) { $0.maxRetryAfter = .milliseconds(300) }
        let (decision, took) = await timed(client)
        #expect(decision.isAllowed)
        #expect(took >= .milliseconds(280) && took < .seconds(5), "\(took) for a 300 ms cap")
        await client.close()

        let late = ScriptedTransport([.retryAfter(503, "3600")])
        let short = try self.client(late) {
            $0.deadline = .seconds(1)
            $0.attemptTimeout = .milliseconds(500)
        }
        let (denied, waited) = await timed(short)
        #expect(denied.source == .unreachable)
        #expect(waited < .seconds(6), "\(waited) for a 1 s deadline (slack for a loaded machine)")
        await short.close()
    }

    @Test func theOtherNodesAreAskedMeanwhile() async throws {
        let nodes = (1...3).map { URL(string: "http://10.0.0.\($0):8080")! }
        let transport = ScriptedTransport([.retryAfter(503, "5"), .status(200)])
        let client = try client(transport, nodes: nodes)
        let (decision, took) = await timed(client)
        #expect(decision.isAllowed && took < .seconds(2), "\(took)")
        let asked = transport.requests.map(\.url.host)
        #expect(asked.count == 2 && asked[0] != asked[1])
        // The node that asked for 5 s is asked last by the next calls.
        for _ in 0..<3 { _ = await client.toolCall("crm.read") }
        #expect(
            transport.requests.dropFirst(2).allSatisfy { $0.url.host != asked[0] },
            "\(transport.requests.map(\.url.host))")
        await client.close()
    }

    @Test func anUnreadableValueFallsBackToTheBackoff() async throws {
        let transport = ScriptedTransport([.retryAfter(503, "soon"), .retryAfter(503, "-1"), .status(200)])
        let client = try client(transport)
        let (decision, took) = await timed(client)
        #expect(decision.isAllowed && took < .seconds(2), "\(took)")
        await client.close()
    }
}
