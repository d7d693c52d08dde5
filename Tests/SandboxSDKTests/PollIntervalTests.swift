import Foundation
import SandboxSDK
import Testing

/// Polls that come back early with nothing new (a node or proxy that does not hold the long
/// poll) are not sent again at once: at least half a second apart.
@Suite struct PollIntervalTests {
    func client(_ transport: RoutedTransport) throws -> SandboxClient {
        try SandboxClient(
            endpoints: [URL(string: "http://10.0.0.1:8080")!], agentID: "a", apiKey: "k",
            policyPublicKeys: [RoutedTransport.keys.signingKey.verificationKey.base64], transport: transport)
    }

    static func count(_ transport: RoutedTransport, _ prefix: String) -> Int {
        transport.requests.filter { $0.url.path.hasPrefix(prefix) }.count
    }

    @Test func anApprovalAnsweredPendingAtOnceIsNotAskedInALoop() async throws {
        let transport = RoutedTransport { request in
            guard request.url.path.hasPrefix("/v1/approvals/") else { return TransportResponse(status: 404) }
            return TransportResponse(status: 200, body: Array(#"{"status": "pending"}"#.utf8))
        }
        let client = try client(transport)
        let status = await client.waitForApproval(7, timeout: .milliseconds(1500))
        #expect(status == .pending)
        let polls = Self.count(transport, "/v1/approvals/")
        #expect((1...5).contains(polls), "\(polls) polls in 1.5 s")
        await client.close()
    }

    @Test func aPolicyPollAnswered304AtOnceIsNotSentInALoop() async throws {
        let transport = RoutedTransport { request in
            guard request.url.path.hasPrefix("/v1/policies/") else { return TransportResponse(status: 404) }
            let held = request.headers["If-None-Match"] != nil
            return held ? TransportResponse(status: 304) : TransportResponse(status: 200, body: RoutedTransport.bundle)
        }
        let client = try client(transport)
        _ = try await client.refreshPolicy()
        try await Task.sleep(for: .milliseconds(1500))
        let polls = Self.count(transport, "/v1/policies/")
        #expect((2...7).contains(polls), "\(polls) policy requests in 1.5 s")
        await client.close()
    }

    @Test func anApprovalANodeRefusesToShowIsRefusedNotPending() async throws {
        let transport = RoutedTransport { _ in TransportResponse(status: 404) }
        let client = try client(transport)
        #expect(await client.waitForApproval(7, timeout: .seconds(5)) == .refused)
        #expect(Self.count(transport, "/v1/approvals/") == 1, "a definite refusal is not waited on")
        await client.close()
    }
}
