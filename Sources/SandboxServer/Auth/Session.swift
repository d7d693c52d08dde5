/// A console session (the `/approvals` page): who logged in, until when, and a random nonce
/// that makes each login's cookie and CSRF token distinct. Carried in the cookie itself, signed
/// (``SessionSigner``), so every node of the cluster accepts it without shared session state.
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

    static let nonceBytes = 16
    static let maxPrincipalBytes = 256
}
