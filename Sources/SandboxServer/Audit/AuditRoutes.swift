import Hummingbird
import JSON
import SandboxState

/// The audit log: `GET /v1/audit/export?from=&to=` (epoch seconds, inclusive) streamed page by
/// page from the store (a JSON array, or NDJSON with `Accept: application/x-ndjson`; `after=`
/// a sequence number and `limit=` paginate), and `GET /v1/audit/verify?from=&to=&after=&limit=`
/// (the chain recomputed on this node, at most ``maxVerified`` records a call, on a thread of
/// its own). Viewers and above; a tenant-scoped caller gets its tenant's records
/// only (such an export has gaps, so it verifies only record by record, not as a chain).
enum AuditRoutes {
    /// Records read from the store per page of the stream.
    static let pageSize = 1000
    /// Records one verify call checks at most (`next_after` names where the next call goes on).
    static let maxVerified: UInt64 = 1_000_000

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/v1/audit/export") { request, context -> Response in
            try await export(request, context, node)
        }
        router.get("/v1/audit/verify") { request, context -> Response in
            try await verify(request, context, node)
        }
    }

    /// `from`, `to` (epoch seconds, default the whole log) and the caller's tenant scope.
    struct Range: Sendable {
        var fromSeconds: UInt64
        var toSeconds: UInt64
        /// Only this tenant's records (a tenant-scoped caller).
        var tenant: String?
        /// The largest time a range may name: its milliseconds past the end still fit 64 bits.
        static let maxSeconds = UInt64.max / 1000 - 1

        init(fromSeconds: UInt64, toSeconds: UInt64, tenant: String?) {
            self.fromSeconds = fromSeconds
            self.toSeconds = toSeconds
            self.tenant = tenant
        }

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
        try await exportStream(request, caller: try await node.caller(for: request, context: context), node)
    }

    /// The export for `caller` (a token's, or a console session's: `/console/audit/export`).
    static func exportStream(_ request: Request, caller: Caller, _ node: SandboxNode) async throws -> Response {
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
        let query = request.uri.queryParameters
        let after = try ApprovalRoutes.unsignedParameter(query.get("after"), "after") ?? 0
        let limit = try ApprovalRoutes.unsignedParameter(query.get("limit"), "limit") ?? maxVerified
        guard (1...maxVerified).contains(limit) else {
            throw APIError.badRequest("limit must be 1...\(maxVerified) records", code: "bad_limit")
        }
        try await node.linearizableRead()
        let answer = try await node.blockingWork.run {
            try node.readState { try verifyPage($0, range, after: after, limit: limit) }
        }
        return JSONResponses.json(answer)
    }

    /// Verifies the records of `range` after the sequence `after`, at most `limit` of them
    /// (anchored on the stored record before the first); `next_after` when more remain.
    static func verifyPage(_ queries: StateQueries, _ range: Range, after: UInt64, limit: UInt64) throws -> JSONValue {
        let start = try queries.firstAuditSequence(atOrAfterMillis: range.fromSeconds * 1000)
        let end = try queries.firstAuditSequence(atOrAfterMillis: (range.toSeconds + 1) * 1000)
        let first = after == .max ? end : max(start, after + 1)
        guard first < end else {
            return .object(["valid": .bool(true), "checked": JSONResponses.number(0), "next_after": .null])
        }
        let last = min(end - 1, first + (limit - 1))
        let result = try queries.verifyAudit(from: first, to: last)
        var body: [String: JSONValue] = [
            "valid": .bool(result.isValid), "checked": JSONResponses.number(UInt64(result.checked)),
            "first_seq": JSONResponses.number(first), "last_seq": JSONResponses.number(last),
            "next_after": result.isValid && last < end - 1 ? JSONResponses.number(last) : .null,
        ]
        if let failure = result.failure {
            body["failure"] = .object([
                "seq": JSONResponses.number(failure.sequence), "reason": .string(failure.reason),
            ])
        }
        return .object(body)
    }
}
