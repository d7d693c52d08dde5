import Hummingbird
import JSON
import SandboxState

/// The audit log: `GET /v1/audit/export?from=&to=` (epoch seconds, inclusive) streamed page by
/// page from the store (a JSON array, or NDJSON with `Accept: application/x-ndjson`; `after=`
/// a sequence number and `limit=` paginate), and `GET /v1/audit/verify?from=&to=` (the chain
/// recomputed on this node). Viewers and above; a tenant-scoped caller gets its tenant's records
/// only (such an export has gaps, so it verifies only record by record, not as a chain).
enum AuditRoutes {
    /// Records read from the store per page of the stream.
    static let pageSize = 1000

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/v1/audit/export") { request, context -> Response in
            try await export(request, context, node)
        }
        router.get("/v1/audit/verify") { request, context -> Response in
            try await verify(request, context, node)
        }
    }

    /// `from`, `to` (epoch seconds, default the whole log) and the caller's tenant scope.
    struct Range {
        var fromSeconds: UInt64
        var toSeconds: UInt64
        /// Only this tenant's records (a tenant-scoped caller).
        var tenant: String?
        /// The largest time a range may name: its milliseconds past the end still fit 64 bits.
        static let maxSeconds = UInt64.max / 1000 - 1

        init(_ request: Request, caller: Caller) throws(APIError) {
            let query = request.uri.queryParameters
            fromSeconds = try ApprovalRoutes.unsignedParameter(query.get("from"), "from") ?? 0
            toSeconds = try ApprovalRoutes.unsignedParameter(query.get("to"), "to") ?? Self.maxSeconds
            guard fromSeconds <= Self.maxSeconds, toSeconds <= Self.maxSeconds else {
                throw APIError.badRequest(
                    "from and to are epoch seconds up to \(Self.maxSeconds)", code: "bad_range")
            }
            guard fromSeconds <= toSeconds else {
                throw APIError.badRequest("from must not be after to (epoch seconds, inclusive)", code: "bad_range")
            }
            try caller.require(.viewer, tenant: caller.tenant)
            tenant = caller.tenant
        }
    }

    static func export(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        let caller = try await node.caller(for: request, context: context)
        let range = try Range(request, caller: caller)
        let query = request.uri.queryParameters
        let after = try ApprovalRoutes.unsignedParameter(query.get("after"), "after")
        let limit = try ApprovalRoutes.unsignedParameter(query.get("limit"), "limit")
        let ndjson = request.headers[.accept]?.contains("application/x-ndjson") ?? false
        try await node.linearizableRead()
        var stream = AuditStream(range: range, after: after, limit: limit, ndjson: ndjson)
        // The first page is read before answering, so that a storage failure is still a 503.
        let first = try node.readState { try stream.nextChunk($0) }
        let rest = stream
        let body = ResponseBody { writer in
            var stream = rest
            if let first { try await writer.write(first) }
            while let chunk = try stream.nextChunk(node.queries) { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        let type = ndjson ? "application/x-ndjson" : "application/json"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: body)
    }

    static func verify(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        let caller = try await node.caller(for: request, context: context)
        let range = try Range(request, caller: caller)
        guard range.tenant == nil else {
            throw APIError.forbidden(
                "the audit chain spans every tenant: verify it with a cluster-wide token", code: "forbidden")
        }
        try await node.linearizableRead()
        let answer = try node.readState { queries throws -> JSONValue in
            let first = try queries.firstAuditSequence(atOrAfterMillis: range.fromSeconds * 1000)
            let end = try queries.firstAuditSequence(atOrAfterMillis: (range.toSeconds + 1) * 1000)
            guard first < end else {
                return .object(["valid": .bool(true), "checked": JSONResponses.number(0)])
            }
            let result = try queries.verifyAudit(from: first, to: end - 1)
            var body: [String: JSONValue] = [
                "valid": .bool(result.isValid), "checked": JSONResponses.number(UInt64(result.checked)),
                "first_seq": JSONResponses.number(first), "last_seq": JSONResponses.number(end - 1),
            ]
            if let failure = result.failure {
                body["failure"] = .object([
                    "seq": JSONResponses.number(failure.sequence), "reason": .string(failure.reason),
                ])
            }
            return .object(body)
        }
        return JSONResponses.json(answer)
    }
}
