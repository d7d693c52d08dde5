/// An agent: its tenant, whether it may decide, and the SHA-256 hashes of its API keys (a
/// second key is valid alongside the first until one is revoked).
public struct AgentRecord: Sendable, Hashable {
    public var id: String
    public var tenant: String
    public var enabled: Bool
    public var keyHashes: [[UInt8]]
    public var createdMillis: UInt64

    /// Keys an agent may hold at once (rotation needs two).
    public static let maxKeys = 8

    public init(id: String, tenant: String, enabled: Bool, keyHashes: [[UInt8]], createdMillis: UInt64) {
        self.id = id
        self.tenant = tenant
        self.enabled = enabled
        self.keyHashes = keyHashes
        self.createdMillis = createdMillis
    }

    var encoded: [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.string(tenant)
        w.bool(enabled)
        w.u64(createdMillis)
        w.u8(UInt8(keyHashes.count))
        for hash in keyHashes { w.raw(hash) }
        return w.bytes
    }

    init(id: String, decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "agent")
        self.id = id
        tenant = try r.string("tenant", maxBytes: Int(UInt16.max))
        enabled = try r.bool("enabled")
        createdMillis = try r.u64("created")
        let count = Int(try r.u8("key count"))
        guard count <= Self.maxKeys else { throw DecodingError("agent record holds \(count) keys") }
        keyHashes = []
        for _ in 0..<count { keyHashes.append(try r.raw(32, "key hash")) }
    }
}
