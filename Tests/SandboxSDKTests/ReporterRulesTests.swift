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
        #expect(reports.map { RoutedTransport.denials($0).count } == [0, 3, 1, 1, 1], "the probe, then the reports")
        await client.close()
    }

    /// Answers as a node: the bundle, a deny from the decision route, and `reports` for the report
    /// route (given the number of denials in the report).
    static func node(reports: @escaping @Sendable (Int) -> Int) -> RoutedTransport {
        RoutedTransport { request in
            switch request.url.path {
            case let path where path.hasPrefix("/v1/policies/"):
                return TransportResponse(status: 200, body: RoutedTransport.bundle)
            case "/v1/audit/local-denials":
                let status = reports(RoutedTransport.denials(request).count)
                let body = #"{"error": {"code": "bad_denial_count", "message": "no", "retryable": false}}"#
                return TransportResponse(status: status, body: status == 200 ? [] : Array(body.utf8))
            default:
                let body =
                    #"{"decision": "deny", "reason": "no", "rule": "tools.deny[0]", "decision_id": 3,"#
                    + #" "request_id": "\#(request.headers["Idempotency-Key"] ?? "")", "policy_version": 1,"#
                    + #" "replayed": false}"#
                return TransportResponse(status: 200, body: Array(body.utf8))
            }
        }
    }

    @Test func nothingIsDeniedLocallyBeforeTheClusterShowedItRecordsLocalDenials() async throws {
        let transport = Self.node { _ in 404 }
        let client = try await client(transport)
        #expect(await client.policy() != nil)
        #expect(await !client.deniesLocally())
        let charge = await client.toolCall("payments.charge")
        #expect(charge.source == .server && charge.decisionID == 3)
        #expect(await client.localDenials().pending == 0)
        await client.close()
    }

    @Test func aReportAnswered404KeepsTheDenialsQueuedAndNeverSendsThemAsDecisions() async throws {
        let transport = Self.node { $0 == 0 ? 400 : 404 }  // the probe finds the route; the report does not
        let client = try await client(transport)
        #expect(await client.deniesLocally())
        let charge = await client.toolCall("payments.charge", params: ["amount": 5])
        #expect(charge.source == .localPolicy)
        #expect(await !client.flushLocalDenials())
        #expect(await client.localDenials().pending == 1, "kept for the next try")
        #expect(await !client.deniesLocally())
        #expect(transport.requests.filter { $0.url.path == "/v1/decisions" }.isEmpty, "never sent as decisions")
        let again = await client.toolCall("payments.charge", params: ["amount": 5])
        #expect(again.source == .server, "the server decides while the route is missing")
        #expect(await client.localDenials().pending == 1)
        await client.close()
    }

    @Test func whatTheServerWouldRefuseInAReportIsAskedOfTheServer() async throws {
        let transport = Self.node { $0 == 0 ? 400 : 200 }
        let client = try await client(transport)
        var deep: JSONValue = [:]
        for _ in 1..<61 { deep = ["a": deep] }
        #expect(await client.toolCall("payments.charge", params: deep).source == .localPolicy, "61 levels fit")
        #expect(await client.toolCall("payments.charge", params: ["a": deep]).source == .server, "62 do not")
        #expect(await client.toolCall("payments.charge", params: [1, 2]).source == .server, "params not an object")
        await client.close()
    }

    @Test func closeFromACancelledTaskStillReportsWhatIsQueuedAndSaysWhatIsLeft() async throws {
        let transport = Self.node { $0 == 0 ? 400 : 200 }
        let client = try await client(transport)
        #expect(await client.toolCall("payments.charge").source == .localPolicy)
        let closing = Task {
            try? await Task.sleep(for: .seconds(30))  // cancelled at once: close() runs cancelled
            return await client.close()
        }
        closing.cancel()
        #expect(await closing.value == 0, "nothing left unreported")
        let reports = transport.requests.filter { $0.url.path == "/v1/audit/local-denials" }
        #expect(reports.map { RoutedTransport.denials($0).count } == [0, 1])
        #expect(await client.toolCall("payments.charge").rule == "sdk.closed", "nothing queued once closing")
        #expect(await client.localDenials().pending == 0)
    }

    @Test func anyOtherDefiniteRefusalOfAReportIsDroppedAndCountedNotRetriedForever() async throws {
        let transport = Self.node { $0 == 0 ? 400 : 415 }  // a proxy refusing the content type
        let client = try await client(transport)
        #expect(await client.toolCall("payments.charge").source == .localPolicy)
        #expect(await client.flushLocalDenials())
        let counts = await client.localDenials()
        #expect(counts.pending == 0 && counts.dropped == 1, "\(counts)")
        await client.close()
    }
}
