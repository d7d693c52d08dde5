/// A console session (the `/approvals` page): who logged in, until when, a random nonce that
/// makes each login's cookie and CSRF token distinct, and what ends it early: the principal's
/// session generation at login (a logout counts it up in the replicated state) and a tag of the
/// token it logged in with (a rotated or re-created token no longer matches). Carried in the
/// cookie itself, signed (``SessionSigner``), so every node accepts it.
struct Session: Sendable, Hashable {
    /// What logged in: a principal of the state, the configured bootstrap administrator, or
    /// `--dev` loopback (kept apart so that a state principal of the same name is never taken
    /// for either).
    enum Kind: UInt8, Sendable {
        case principal = 1
        case bootstrapAdmin = 2
        case dev = 3
    }

    var kind: Kind
    /// The principal id (`admin` for the bootstrap administrator, `dev` for `--dev`).
    var principal: String
    /// Seconds since the epoch after which the cookie is refused.
    var expiresSeconds: UInt64
    /// 16 random bytes chosen at login.
    var nonce: [UInt8]
    /// The principal's session generation at login (`StateQueries.sessionGeneration`).
    var generation: UInt64 = 0
    /// The first bytes of the login token's SHA-256 (zeros for `--dev`).
    var credential = [UInt8](repeating: 0, count: Session.credentialBytes)

    static let nonceBytes = 16
    static let credentialBytes = 8
    static let maxPrincipalBytes = 256
}
