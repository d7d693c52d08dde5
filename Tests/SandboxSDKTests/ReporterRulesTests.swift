import Foundation
import JSON
import SandboxSDK
import Testing

/// The local-denial reporter's rules on a routed transport: a report refused as malformed is
/// sent again a denial at a time (only the refused one dropped); a node without the report route
/// gets each denial as a decision under its request id, so the server audits it anyway.
@Suite struct ReporterRulesTests {
    func client(_ transport: RoutedTransport) async throws -> SandboxClient {
        var options = SandboxClientOptions()
        options.denialFlushInterval = .seconds(60)  // flushed by the test
        let client = try SandboxClient(
            endpoints: [URL(string: "http://10.0.0.1:8080")!], agentID: "a", apiKey: "k",
            policyPublicKeys: [RoutedTransport.keys.signingKey.verificationKey.base64], options: options,
            transport: transport)
        _ = try await client.refreshPolicy()
        return client
    }

    @Test func aMalformedBatchIsSentOneByOneAndOnlyTheRefusedDenialDropped() async throws {
        let transport = RoutedTransport { request in
            if request.url.path.hasPrefix("/v1/policies/") {
                return TransportResponse(status: 200, body: RoutedTransport.bundle)
            }
            let denials = RoutedTransport.denials(request)
            let bad = denials.count > 1 || denials.contains { $0["tool"] == "payments.bad" }
            let body =
                bad
                ? #"{"error": {"code": "bad_request", "message": "no", "retryable": false}}"#
                : #"{"recorded": 1, "duplicates": 0}"#
            return TransportResponse(status: bad ? 400 : 200, body: Array(body.utf8))
        }
        let client = try await client(transport)
        for tool in ["payments.one", "payments.bad", "payments.two"] {
            #expect(await client.toolCall(tool).source == .localPolicy)
        }
        #expect(await client.flushLocalDenials())
        let counts = await client.localDenials()
        #expect(counts.pending == 0 && counts.reported == 2 && counts.dropped == 1, "\(counts)")
        let reports = transport.requests.filter { $0.url.path == "/v1/audit/local-denials" }
        #expect(reports.map { RoutedTransport.denials($0).count } == [3, 1, 1, 1])
        await client.close()
    }

    @Test func aNodeWithoutTheRouteDecidesEachDenialItself() async throws {
        let transport = RoutedTransport { request in
            switch request.url.path {
            case let path where path.hasPrefix("/v1/policies/"):
                return TransportResponse(status: 200, body: RoutedTransport.bundle)
            case "/v1/audit/local-denials": return TransportResponse(status: 404, body: [])
            default:
                let body =
                    #"{"decision": "deny", "reason": "no", "rule": "tools.deny[0]", "decision_id": 3,"#
                    + #" "request_id": "\#(request.headers["Idempotency-Key"] ?? "")", "policy_version": 1,"#
                    + #" "replayed": false}"#
                return TransportResponse(status: 200, body: Array(body.utf8))
            }
        }
        let client = try await client(transport)
        let charge = await client.toolCall("payments.charge", params: ["amount": 5])
        #expect(charge.source == .localPolicy)
        #expect(await client.flushLocalDenials())
        let decisions = transport.requests.filter { $0.url.path == "/v1/decisions" }
        #expect(decisions.count == 1 && decisions.first?.headers["Idempotency-Key"] == charge.requestID)
        let body = try decisions.first?.body.map { try JSONValue(parsing: $0) }
        #expect(body == ["tool": "payments.charge", "params": ["amount": 5], "chain_depth": 0])
        #expect(await client.localDenials().reported == 1)
        await client.close()
    }
}
