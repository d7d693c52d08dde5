/// An operator: the SHA-256 of its bearer token, its role, its scope (a tenant, or nil for the
/// whole cluster), its expiry and whether it was revoked.
public struct PrincipalRecord: Sendable, Hashable {
    public var id: String
    public var tokenHash: [UInt8]
    public var role: Role
    public var tenant: String?
    /// Milliseconds since the epoch; 0 never expires.
    public var expiresAtMillis: UInt64
    public var revoked: Bool
    public var createdMillis: UInt64

    public init(
        id: String, tokenHash: [UInt8], role: Role, tenant: String?, expiresAtMillis: UInt64, revoked: Bool,
        createdMillis: UInt64
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.role = role
        self.tenant = tenant
        self.expiresAtMillis = expiresAtMillis
        self.revoked = revoked
        self.createdMillis = createdMillis
    }

    /// Whether the principal may act at `timeMillis` (not revoked, not expired).
    public func isActive(at timeMillis: UInt64) -> Bool {
        !revoked && (expiresAtMillis == 0 || timeMillis < expiresAtMillis)
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.raw(tokenHash)
        w.u8(role.rawValue)
        w.optionalString(tenant)
        w.u64(expiresAtMillis)
        w.bool(revoked)
        w.u64(createdMillis)
        return w.bytes
    }

    init(id: String, decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "principal")
        self.id = id
        tokenHash = try r.raw(32, "token hash")
        let rawRole = try r.u8("role")
        guard let role = Role(rawValue: rawRole) else { throw DecodingError("unknown role \(rawRole)") }
        self.role = role
        tenant = try r.optionalString("tenant", maxBytes: Int(UInt16.max))
        expiresAtMillis = try r.u64("expiry")
        revoked = try r.bool("revoked")
        createdMillis = try r.u64("created")
    }
}
