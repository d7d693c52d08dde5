import SandboxState

/// Signs and checks console session cookies and their CSRF tokens with one HMAC key (the same on
/// every node: derived from the cluster secret). Pure: the caller gives the time and the nonce.
///
/// Cookie value: `base64url(payload) "." base64url(HMAC(key, "session" ‖ payload))`, the payload
/// being version 2, the kind, the expiry (8 bytes, big-endian), the nonce, the generation (8
/// bytes), the credential tag (8 bytes), the principal id (UTF-8).
/// CSRF token: `base64url(HMAC(key, "csrf" ‖ payload))`, bound to that one session.
struct SessionSigner: Sendable {
    static let cookieName = "sandbox_session"
    /// How long a login lasts.
    static let lifetimeSeconds: UInt64 = 8 * 3600

    private let key: [UInt8]

    /// The key derived from secret material the same on every node (the cluster secret, or the
    /// signing key).
    init(secret: [UInt8]) {
        key = HMACSHA256.mac(key: secret, Array("agent-sandbox console sessions v1".utf8))
    }

    func issue(
        _ kind: Session.Kind = .principal, principal: String, nowSeconds: UInt64, nonce: [UInt8],
        generation: UInt64 = 0, credential: [UInt8] = [UInt8](repeating: 0, count: Session.credentialBytes)
    ) -> (cookie: String, session: Session) {
        let session = Session(
            kind: kind, principal: principal, expiresSeconds: nowSeconds + Self.lifetimeSeconds, nonce: nonce,
            generation: generation, credential: Array(credential.prefix(Session.credentialBytes)))
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

    static let version: UInt8 = 2

    static func payload(_ session: Session) -> [UInt8] {
        [version, session.kind.rawValue] + bigEndian(session.expiresSeconds) + session.nonce
            + bigEndian(session.generation) + session.credential + Array(session.principal.utf8)
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: value >> UInt64($0)) }
    }

    static func session(_ payload: [UInt8]) -> Session? {
        let nonceEnd = 10 + Session.nonceBytes
        let header = nonceEnd + 8 + Session.credentialBytes
        guard payload.count > header, payload[0] == version, let kind = Session.Kind(rawValue: payload[1]),
            payload.count - header <= Session.maxPrincipalBytes,
            let principal = String(validating: payload[header...], as: UTF8.self)
        else { return nil }
        let number = { (range: Range<Int>) in payload[range].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        return Session(
            kind: kind, principal: principal, expiresSeconds: number(2..<10), nonce: Array(payload[10..<nonceEnd]),
            generation: number(nonceEnd..<nonceEnd + 8), credential: Array(payload[nonceEnd + 8..<header]))
    }
}
