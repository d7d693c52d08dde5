import Foundation
import Logging
import Raft
import SandboxSigning
import SandboxTransport
import ServerTestSupport
import TestSupport
import Testing

@testable import SandboxServer

/// `docs/openapi.yaml` stays true: every route the node registers is in it (and nothing more),
/// and the answers of the HTTP tests conform to it (``LocalCluster/call`` checks each one).
@Suite struct OpenAPITests {
    @Test func theDocumentCompilesAndListsEveryRegisteredRouteAndNoOther() async throws {
        let document = try OpenAPI.shared.get()
        let directory = TemporaryDirectory("openapi-routes")
        var config = ServerConfig()
        config.nodeID = 1
        config.dataDirectory = directory.subpath("data")
        config.peerAddress = PeerAddress(host: "127.0.0.1", port: Int.random(in: 50_000...60_000))
        config.peers = [1: config.peerAddress]
        let node = try await SandboxNode(config: config, logger: Logger(label: "openapi-test"))
        var random = SeededGenerator(seed: 1)
        let keys = KeyRing(signingKey: SigningKey.generate(using: &random))
        let registered = Set(APIRouter.make(node: node, keys: keys).routes.map { "\($0.method) \($0.path)" })
        await node.shutdown(logger: Logger(label: "openapi-test"))
        #expect(registered.count > 20, "the router was read: \(registered.count) routes")
        let undocumented = registered.subtracting(document.operations).sorted()
        #expect(undocumented.isEmpty, "routes missing from docs/openapi.yaml: \(undocumented)")
        let unserved = document.operations.subtracting(registered).sorted()
        #expect(unserved.isEmpty, "docs/openapi.yaml lists routes nobody serves: \(unserved)")
    }

    @Test func aContradictingAnswerIsFound() throws {
        let document = try OpenAPI.shared.get()
        #expect(document.template("GET", "/v1/agents/a1") == "/v1/agents/{agent_id}")
        #expect(document.template("DELETE", "/v1/agents/a1/keys/k") == "/v1/agents/{agent_id}/keys/{key_id}")
        let good = Data(#"{"error": {"code": "unknown_agent", "message": "no agent", "retryable": false}}"#.utf8)
        #expect(document.problems("GET", "/v1/agents/a1", status: 404, body: good).isEmpty)
        let flat = Data(#"{"error": "no agent", "retryable": false}"#.utf8)
        #expect(!document.problems("GET", "/v1/agents/a1", status: 404, body: flat).isEmpty)
        #expect(!document.problems("GET", "/v1/agents/a1", status: 418, body: good).isEmpty, "an unlisted status")
        let tenant = Data(#"{"id": "acme"}"#.utf8)
        #expect(!document.problems("POST", "/v1/tenants", status: 200, body: tenant).isEmpty, "name is required")
    }
}
