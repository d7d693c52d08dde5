import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SandboxState

/// Authentication: who a request comes from. Secrets are looked up by their SHA-256 (the
/// state stores nothing else), the hash compared again in constant time, and never logged.
extension SandboxNode {
    /// The principal id of the configured bootstrap administrator (`--admin-token`).
    static let bootstrapAdminID = "admin"

    /// The agent whose key is in `X-Agent-Key` (401 without one or for an unknown key, 403 for
    /// a disabled agent).
    func agent(for request: Request, context: some RequestContext) throws(APIError) -> AgentRecord {
        let address = Self.clientAddress(context)
        let key = try agentKey(request, address)
        do { return try agent(key: key) } catch { throw counted(error, address) }
    }

    /// ``agent(for:context:)`` as of now: an unknown key is looked up once more after catching up
    /// with the leader, so an agent created through another node a moment ago decides at once.
    func currentAgent(for request: Request, context: some RequestContext) async throws(APIError) -> AgentRecord {
        let address = Self.clientAddress(context)
        let key = try agentKey(request, address)
        do {
            return try await afterCatchingUp { () throws(APIError) in try agent(key: key) }
        } catch {
            throw counted(error, address)
        }
    }

    /// The enabled agent holding `key` (the `X-Agent-Key` field; nil: none) as this node knows
    /// it now, for the decision fast paths (``DecisionRoutes/fastCommand(body:agentKey:idempotencyKey:address:node:)``):
    /// nil whenever ``currentAgent(for:context:)`` must answer instead (no key, a key unknown
    /// here, a disabled agent, a rate-limited address), which then counts the failure and says
    /// why. Counts nothing itself.
    func knownAgent(key: String?, address: SocketAddress?) -> AgentRecord? {
        let limiterKey = address.map(Self.limiterKey) ?? "unknown"
        guard (try? checkRateLimit(limiterKey)) != nil, let key, !key.isEmpty else { return nil }
        return try? agent(key: key)
    }

    static let agentKeyField = HTTPField.Name("X-Agent-Key")!

    /// The `X-Agent-Key` header, once `address` is not rate-limited (a missing key counts as a
    /// failure).
    private func agentKey(_ request: Request, _ address: String) throws(APIError) -> String {
        try checkRateLimit(address)
        guard let key = Self.header(request, "x-agent-key"), !key.isEmpty else {
            throw counted(.unauthorized("missing X-Agent-Key header", code: "missing_credentials"), address)
        }
        return key
    }

    /// The caller: a bearer token (`Authorization: Bearer`), else an agent key
    /// (`X-Agent-Key`), else with `--dev` a tokenless call from loopback. 401 when none holds.
    func caller(for request: Request, context: some RequestContext) async throws(APIError) -> Caller {
        let address = Self.clientAddress(context)
        try checkRateLimit(address)
        do { return try await authenticate(request, context) } catch { throw counted(error, address) }
    }

    private func authenticate(_ request: Request, _ context: some RequestContext) async throws(APIError) -> Caller {
        if let authorization = Self.header(request, "authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
                throw .unauthorized("Authorization must be `Bearer TOKEN`", code: "malformed_credentials")
            }
            let token = String(parts[1])
            return .principal(try await afterCatchingUp { () throws(APIError) in try principal(token: token) })
        }
        if let key = Self.header(request, "x-agent-key"), !key.isEmpty {
            return .agent(try await afterCatchingUp { () throws(APIError) in try agent(key: key) })
        }
        if config.dev, Self.isLoopback((context as? any RemoteAddressRequestContext)?.remoteAddress) {
            if let refusal = DevBrowserGuard.refusal(request) { throw .forbidden(refusal, code: "dev_cross_site") }
            return .dev
        }
        throw .unauthorized(
            "missing credentials: send Authorization: Bearer TOKEN (operators) or X-Agent-Key (agents)",
            code: "missing_credentials")
    }

    /// 429 while `address` has failed too often (``FailedAuthLimiter``).
    private func checkRateLimit(_ address: String) throws(APIError) {
        let now = DispatchTime.now().uptimeNanoseconds
        if let seconds = failedAuth.withLock({ $0.retryAfter(address, nowNanos: now) }) {
            throw .rateLimited(
                retryAfter: seconds, "too many failed authentications from \(address); retry in \(seconds) s")
        }
    }

    /// `error`, after counting a 401 against `address`.
    private func counted(_ error: APIError, _ address: String) -> APIError {
        if error.status == .unauthorized {
            let now = DispatchTime.now().uptimeNanoseconds
            failedAuth.withLock { $0.recordFailure(address, nowNanos: now) }
        }
        return error
    }

    /// The client's address as the failed-authentication limiter counts it: an IPv4 address,
    /// or an IPv6 client's /64 (one host usually holds a whole /64, and would otherwise cycle
    /// through its addresses to escape the limit).
    static func clientAddress(_ context: some RequestContext) -> String {
        guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return "unknown" }
        return limiterKey(address)
    }

    static func limiterKey(_ address: SocketAddress) -> String {
        guard case .v6(let v6) = address, let ip = address.ipAddress, !ip.hasPrefix("::ffff:") else {
            return address.ipAddress ?? "unknown"
        }
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0.prefix(8)) }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }

    /// `lookup`, and on a 401 once more after catching up with the leader: a key or token
    /// created through another node a moment ago is found (an unknown one costs a ReadIndex,
    /// which the failed-authentication limiter bounds).
    private func afterCatchingUp<T>(_ lookup: () throws(APIError) -> T) async throws(APIError) -> T {
        do {
            return try lookup()
        } catch  where error.status == .unauthorized {
            try await linearizableRead()
            return try lookup()
        }
    }

    /// The enabled agent holding `key`: from ``AgentKeyCache`` when it has it, else read from
    /// the state (and kept there).
    private func agent(key: String) throws(APIError) -> AgentRecord {
        let hash = SHA256.hash(Array(key.utf8))
        let (cached, generation) = agentKeys.lookup(keyHash: hash)
        if let cached { return cached }
        guard let agent = try read({ try queries.agent(byKeyHash: hash) }),
            agent.keyHashes.contains(where: { Self.constantTimeEqual($0, hash) })
        else { throw .unauthorized("unknown agent key", code: "invalid_credentials") }
        guard agent.enabled else {
            throw .forbidden("agent `\(agent.id)` is disabled; an administrator can enable it", code: "agent_disabled")
        }
        agentKeys.store(agent, keyHash: hash, readAt: generation)
        return agent
    }

    private func principal(token: String) throws(APIError) -> PrincipalRecord {
        let hash = SHA256.hash(Array(token.utf8))
        if let configured = config.adminToken,
            Self.constantTimeEqual(SHA256.hash(Array(configured.utf8)), hash)
        {
            return PrincipalRecord(
                id: Self.bootstrapAdminID, tokenHash: hash, role: .admin, tenant: nil, expiresAtMillis: 0,
                revoked: false, createdMillis: 0)
        }
        guard let principal = try read({ try queries.principal(byTokenHash: hash) }),
            Self.constantTimeEqual(principal.tokenHash, hash), !principal.revoked
        else { throw .unauthorized("unknown or revoked token", code: "invalid_credentials") }
        guard principal.isActive(at: UInt64(Date().timeIntervalSince1970 * 1000)) else {
            throw .unauthorized("token of `\(principal.id)` expired; ask for a new one", code: "token_expired")
        }
        return principal
    }

    /// A read of the local state; a damaged store is a 500.
    private func read<T>(_ body: () throws -> T) throws(APIError) -> T {
        do { return try body() } catch { throw .internalError("cannot read the state: \(error)") }
    }

    /// A request header by its lower-case name.
    static func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
