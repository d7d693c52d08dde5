import Foundation
import SandboxSDK
import Testing

/// What the client refuses before asking any node, and answers it does not take: a cost that
/// cannot be sent (left out, it would skip the USD budget), a request id that cannot be a
/// header, a decision for another request id.
@Suite struct RequestValidationTests {
    func client(_ transport: ScriptedTransport) throws -> SandboxClient {
        var options = SandboxClientOptions()
        options.backoff = .milliseconds(1)
        return try SandboxClient(
            endpoints: [URL(string: "http://10.0.0.1:8080")!], agentID: "a", apiKey: "k", options: options,
            transport: transport)
    }

    @Test func aCostThatCannotBeSentIsDeniedWithoutAskingTheServer() async throws {
        let transport = ScriptedTransport([.status(200)])
        let client = try client(transport)
        for cost in [Decimal.nan, Decimal(-1), Decimal(string: "-0.01")!] {
            let decision = await client.toolCall("payments.charge", costUSD: cost)
            #expect(decision.outcome == .deny && decision.rule == "sdk.invalid_request", "\(cost): \(decision)")
            #expect(decision.source == .refused && decision.reason.contains("costUSD"))
        }
        #expect(transport.requests.isEmpty)
        let paid = await client.toolCall("payments.charge", costUSD: Decimal(string: "2.5"))
        #expect(paid.isAllowed)
        let body = try #require(transport.requests.last?.body)
        #expect(String(decoding: body, as: UTF8.self).contains(#""cost_usd":2.5"#))
        await client.close()
    }

    @Test func aRequestIDThatCannotBeAHeaderIsDeniedAtOnce() async throws {
        let transport = ScriptedTransport([.refused])
        let client = try client(transport)
        for id in ["", "a\r\nX-Agent-Key: b", "é", "a b", String(repeating: "a", count: 129)] {
            let tool = await client.toolCall("crm.read", requestID: id)
            let http = await client.httpRequest(method: "GET", url: "https://a.example", requestID: id)
            for decision in [tool, http] {
                #expect(decision.rule == "sdk.invalid_request" && decision.outcome == .deny, "\(id): \(decision)")
            }
        }
        #expect(transport.requests.isEmpty, "nothing sent, no retries until unreachable")
        await client.close()
    }

    @Test func aDecisionForAnotherRequestIsRefused() async throws {
        let transport = ScriptedTransport([.otherRequest])
        let client = try client(transport)
        let decision = await client.toolCall("crm.read")
        #expect(decision.outcome == .deny && decision.rule == "sdk.refused" && decision.source == .refused)
        #expect(transport.requests.count == 1)
        await client.close()
    }

    @Test func theAgentIDIsCheckedAndPercentEncodedInThePolicyPath() async throws {
        let node = URL(string: "http://10.0.0.1:8080")!
        #expect(throws: SandboxSDKError.self) { try SandboxClient(endpoints: [node], agentID: "a\nb", apiKey: "k") }
        let transport = RoutedTransport { _ in TransportResponse(status: 404) }
        let client = try SandboxClient(
            endpoints: [node], agentID: "team/a b?x", apiKey: "k",
            policyPublicKeys: [RoutedTransport.keys.signingKey.verificationKey.base64], transport: transport)
        _ = try? await client.refreshPolicy()
        let asked = try #require(transport.requests.first { $0.url.absoluteString.contains("/v1/policies/") })
        let path = asked.url.absoluteString.split(separator: "?").first.map(String.init)
        #expect(path == "http://10.0.0.1:8080/v1/policies/team%2Fa%20b%3Fx", "\(asked.url)")
        await client.close()
    }
}
