import Foundation
import Hummingbird
import SandboxState

extension SandboxNode {
    /// The console session a request carries in its cookie, when it carries no other
    /// credentials (a bearer token or agent key wins, and needs no CSRF token); nil without a
    /// session cookie; 401 when the cookie is forged or expired.
    func session(from request: Request) throws(APIError) -> Session? {
        guard request.headers[.authorization] == nil, DecisionRoutes.header(request, "x-agent-key") == nil,
            let value = Self.cookie(SessionSigner.cookieName, in: request)
        else { return nil }
        guard let session = sessions.verify(cookie: value, nowSeconds: Self.nowSeconds()) else {
            throw APIError.unauthorized(
                "the console session expired or is not valid: log in again", code: "bad_session")
        }
        return session
    }

    /// 403 unless `token` is the session's CSRF token (nothing is changed then).
    func checkCSRF(_ token: String?, for session: Session) throws(APIError) {
        guard sessions.checkCSRF(token, for: session) else {
            throw APIError.forbidden(
                "missing or wrong CSRF token: reload the approvals page and try again", code: "bad_csrf")
        }
    }

    /// The caller a session stands for, checked now: a principal still active with the token it
    /// logged in with, the bootstrap administrator while that bootstrap token is configured, or
    /// `dev` in `--dev` mode; and no logout of that principal since (its session generation).
    /// 401 when it no longer is.
    func sessionCaller(_ session: Session) throws(APIError) -> Caller {
        let expired = APIError.unauthorized(
            "the session's principal `\(session.principal)` was revoked or expired, or its token replaced: log in again",
            code: "bad_session")
        let caller: Caller
        switch session.kind {
        case .dev:
            guard config.dev else { throw expired }
            caller = .dev
        case .bootstrapAdmin:
            guard let token = config.adminToken else { throw expired }
            caller = .principal(
                PrincipalRecord(
                    id: Self.bootstrapAdminID, tokenHash: SHA256.hash(Array(token.utf8)), role: .admin, tenant: nil,
                    expiresAtMillis: 0, revoked: false, createdMillis: 0))
        case .principal:
            let record = try readState { try $0.principal(session.principal) }
            guard let record, record.isActive(at: UInt64(Date().timeIntervalSince1970 * 1000)) else { throw expired }
            caller = .principal(record)
        }
        guard Self.constantTimeEqual(Self.credentialTag(of: caller), session.credential) else { throw expired }
        let generation = try readState {
            try $0.sessionGeneration(of: session.principal, kind: session.kind.rawValue)
        }
        guard generation == session.generation else {
            throw .unauthorized("this console session was logged out: log in again", code: "bad_session")
        }
        return caller
    }

    /// What a session keeps of the token it logged in with: the first bytes of its SHA-256
    /// (zeros for `--dev`, which has none).
    static func credentialTag(of caller: Caller) -> [UInt8] {
        guard case .principal(let record) = caller else { return [UInt8](repeating: 0, count: Session.credentialBytes) }
        return Array(record.tokenHash.prefix(Session.credentialBytes))
    }

    /// Ends every console session of the session's principal on every node (a replicated
    /// logout), unless the session no longer stands anyway: judged on state as new as the
    /// leader's (a linearizable read first), so that a node behind on a later login or token
    /// change does not take a standing session for an ended one and skip the logout.
    func endSessions(of session: Session) async throws(APIError) {
        try await linearizableRead()
        guard (try? sessionCaller(session)) != nil else { return }
        _ = try await propose(
            .endSessions(principal: session.principal, kind: session.kind.rawValue, actor: session.principal))
    }

    /// What a caller logs in to the console as; nil for an agent (agents have no console).
    static func sessionKind(of caller: Caller) -> (Session.Kind, String)? {
        switch caller {
        case .agent: return nil
        case .dev: return (.dev, Caller.devPrincipal)
        case .principal(let record) where record.id == bootstrapAdminID && record.createdMillis == 0:
            return (.bootstrapAdmin, record.id)
        case .principal(let record): return (.principal, record.id)
        }
    }

    static func nowSeconds() -> UInt64 { UInt64(Date().timeIntervalSince1970) }

    /// A cookie's value by name, from every `Cookie` header.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }
}
