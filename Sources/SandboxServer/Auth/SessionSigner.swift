import SandboxState

/// Signs and checks console session cookies and their CSRF tokens with one HMAC key (the same on
/// every node: derived from the cluster secret). Pure: the caller gives the time and the nonce.
///
/// Cookie value: `base64url(payload) "." base64url(HMAC(key, "session" ‖ payload))`, the payload
/// being version 1, the kind, the expiry (8 bytes, big-endian), the nonce, the principal id
/// (UTF-8).
/// CSRF token: `base64url(HMAC(key, "csrf" ‖ payload))`, bound to that one session.
struct SessionSigner: Sendable {
    static let cookieName = "sandbox_session"
    /// How long a login lasts.
    static let lifetimeSeconds: UInt64 = 8 * 3600

    private let key: [UInt8]

    /// The key derived from secret material: the cluster secret (the same on every node), or
    /// random bytes when none is configured (sessions then hold on this node only).
    init(secret: [UInt8]) {
        key = HMACSHA256.mac(key: secret, Array("agent-sandbox console sessions v1".utf8))
    }

    func issue(_ kind: Session.Kind = .principal, principal: String, nowSeconds: UInt64, nonce: [UInt8]) -> (
        cookie: String, session: Session
    ) {
        let session = Session(
            kind: kind, principal: principal, expiresSeconds: nowSeconds + Self.lifetimeSeconds, nonce: nonce)
        let payload = Self.payload(session)
        return (Base64URL.encode(payload) + "." + Base64URL.encode(mac("session", payload)), session)
    }

    /// The session a cookie value carries, or nil when it is malformed, forged or expired.
    func verify(cookie: String, nowSeconds: UInt64) -> Session? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, cookie.utf8.count <= 1024, let payload = Base64URL.decode(parts[0]),
            let given = Base64URL.decode(parts[1]), SandboxNode.constantTimeEqual(given, mac("session", payload)),
            let session = Self.session(payload), nowSeconds < session.expiresSeconds
        else { return nil }
        return session
    }

    func csrfToken(for session: Session) -> String {
        Base64URL.encode(mac("csrf", Self.payload(session)))
    }

    func checkCSRF(_ token: String?, for session: Session) -> Bool {
        guard let token, let given = Base64URL.decode(Substring(token)) else { return false }
        return SandboxNode.constantTimeEqual(given, mac("csrf", Self.payload(session)))
    }

    private func mac(_ purpose: String, _ payload: [UInt8]) -> [UInt8] {
        HMACSHA256.mac(key: key, Array(purpose.utf8) + [0] + payload)
    }

    static func payload(_ session: Session) -> [UInt8] {
        var bytes: [UInt8] = [1, session.kind.rawValue]
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: session.expiresSeconds >> UInt64(shift)))
        }
        return bytes + session.nonce + Array(session.principal.utf8)
    }

    static func session(_ payload: [UInt8]) -> Session? {
        let header = 2 + 8 + Session.nonceBytes
        guard payload.count > header, payload[0] == 1, let kind = Session.Kind(rawValue: payload[1]),
            payload.count - header <= Session.maxPrincipalBytes,
            let principal = String(validating: payload[header...], as: UTF8.self)
        else { return nil }
        let expires = payload[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Session(kind: kind, principal: principal, expiresSeconds: expires, nonce: Array(payload[10..<header]))
    }
}
