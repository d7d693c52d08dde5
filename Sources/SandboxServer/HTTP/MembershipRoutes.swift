import Foundation
import Hummingbird
import JSON
import Raft
import SandboxCluster
import SandboxState
import SandboxTransport

/// Membership under the admin token, accepted by any node and forwarded to the leader:
/// `GET /v1/cluster/members` (members, roles, addresses, progress and lag),
/// `POST /v1/cluster/members` (`{"id", "peer", "http", "role": "voter"|"learner"}`),
/// `DELETE /v1/cluster/members/{id}`, `POST /v1/cluster/leader` (`{"to": id}`).
enum MembershipRoutes {
    static let forwardedHeader = "X-Sandbox-Forwarded"

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/v1/cluster/members") { request, context -> Response in
            try await node.caller(for: request, context: context).require(.viewer, tenant: nil)
            if let forwarded = await forward(request, [], node) { return forwarded }
            return await MembershipActions.status(node)
        }
        router.post("/v1/cluster/members") { request, context -> Response in
            try await node.caller(for: request, context: context).require(.admin, tenant: nil)
            let bytes = try await body(request)
            if let forwarded = await forward(request, bytes, node) { return forwarded }
            guard let json = try? JSONValue(parsing: bytes), let id = json.uint64("id"), id > 0,
                let peer = json.member("peer")?.stringValue, let http = json.member("http")?.stringValue,
                (try? PeerAddress(parsing: peer)) != nil, (try? PeerAddress(parsing: http)) != nil
            else {
                return JSONResponses.error(
                    .badRequest, "expected {\"id\": N, \"peer\": \"host:port\", \"http\": \"host:port\", \"role\": ...}"
                )
            }
            let voter = (json.member("role")?.stringValue ?? "voter") == "voter"
            let timeout = Double(min(json.uint64("catch_up_timeout_s") ?? 60, 300))
            return await MembershipActions.addMember(
                MemberAddress(node: id, peer: peer, http: http), voter: voter, catchUpTimeout: timeout, node)
        }
        router.delete("/v1/cluster/members/:id") { request, context -> Response in
            try await node.caller(for: request, context: context).require(.admin, tenant: nil)
            guard let id = context.parameters.get("id").flatMap({ UInt64($0) }), id > 0 else {
                return JSONResponses.error(.badRequest, "the path names no node id")
            }
            if let forwarded = await forward(request, [], node) { return forwarded }
            return await MembershipActions.removeMember(id, request: request, node)
        }
        router.post("/v1/cluster/leader") { request, context -> Response in
            try await node.caller(for: request, context: context).require(.admin, tenant: nil)
            let bytes = try await body(request)
            if let forwarded = await forward(request, bytes, node) { return forwarded }
            guard let json = try? JSONValue(parsing: bytes), let target = json.uint64("to"), target > 0 else {
                return JSONResponses.error(.badRequest, "expected {\"to\": N}")
            }
            return await MembershipActions.transfer(to: target, node)
        }
    }

    private static func body(_ request: Request) async throws -> [UInt8] {
        try await request.bodyBytes()
    }

    /// On a follower: the leader's answer to the same call; nil on the leader itself.
    static func forward(_ request: Request, _ body: [UInt8], _ node: SandboxNode) async -> Response? {
        let status = node.status
        if status.role == .leader { return nil }
        guard DecisionRoutes.header(request, forwardedHeader.lowercased()) == nil else {
            return JSONResponses.error(.serviceUnavailable, "leadership is moving; retry", retryable: true)
        }
        guard status.leader != 0, let address = node.httpAddress(of: status.leader) else {
            return JSONResponses.error(
                .serviceUnavailable, "no leader, or its HTTP address is not recorded yet; retry", retryable: true)
        }
        var headers = [forwardedHeader: "\(node.config.nodeID)", "Content-Type": "application/json"]
        headers["Authorization"] = request.headers[.authorization]
        guard
            let answer = await NodeHTTPClient.call(
                "\(request.method)", address, request.uri.description, body: body.isEmpty ? nil : body,
                headers: headers, timeout: 90, via: node.config)
        else {
            return JSONResponses.error(
                .serviceUnavailable, "the leader (node \(status.leader) at \(address)) did not answer; retry",
                retryable: true)
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(
            status: .init(code: answer.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: Array(answer.body))))
    }
}

extension JSONValue {
    func uint64(_ name: String) -> UInt64? {
        if case .number(let number)? = member(name), let value = number.int64Value, value >= 0 { return UInt64(value) }
        return nil
    }
}
