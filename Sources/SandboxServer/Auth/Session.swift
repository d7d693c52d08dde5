/// A console session (the `/approvals` page): who logged in, until when, and a random nonce
/// that makes each login's cookie and CSRF token distinct. Carried in the cookie itself, signed
/// (``SessionSigner``), so every node of the cluster accepts it without shared session state.
struct Session: Sendable, Hashable {
    /// The principal the login token named ("dev" for `--dev` loopback).
    var principal: String
    /// Seconds since the epoch after which the cookie is refused.
    var expiresSeconds: UInt64
    /// 16 random bytes chosen at login.
    var nonce: [UInt8]

    static let nonceBytes = 16
    static let maxPrincipalBytes = 256
}
