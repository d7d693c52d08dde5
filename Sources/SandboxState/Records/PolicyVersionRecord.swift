/// One published version of an agent's policy: the YAML text as uploaded, its SHA-256, who
/// published it and when, the mode it was published in, and (for a rollback) the version
/// whose text it re-published.
public struct PolicyVersionRecord: Sendable, Hashable {
    public var agent: String
    public var version: UInt32
    public var yaml: String
    public var sha256: [UInt8]
    public var author: String
    public var timeMillis: UInt64
    public var mode: PolicyMode
    /// The version enforced when this one was published (what a shadow version falls back to).
    public var enforcedBefore: UInt32
    /// 0, or the version this one re-published (`activatePolicy`).
    public var copiedFrom: UInt32

    public init(
        agent: String, version: UInt32, yaml: String, sha256: [UInt8], author: String, timeMillis: UInt64,
        mode: PolicyMode, enforcedBefore: UInt32, copiedFrom: UInt32
    ) {
        self.agent = agent
        self.version = version
        self.yaml = yaml
        self.sha256 = sha256
        self.author = author
        self.timeMillis = timeMillis
        self.mode = mode
        self.enforcedBefore = enforcedBefore
        self.copiedFrom = copiedFrom
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 64 + yaml.utf8.count)
        w.u8(1)
        w.raw(sha256)
        w.string(author)
        w.u64(timeMillis)
        w.u8(mode.rawValue)
        w.u32(enforcedBefore)
        w.u32(copiedFrom)
        w.text(yaml)
        return w.bytes
    }

    init(agent: String, version: UInt32, decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "policy version")
        self.agent = agent
        self.version = version
        sha256 = try r.raw(32, "policy hash")
        author = try r.string("author", maxBytes: Int(UInt16.max))
        timeMillis = try r.u64("time")
        mode = try r.mode()
        enforcedBefore = try r.u32("enforced before")
        copiedFrom = try r.u32("copied from")
        yaml = try r.text("policy", maxBytes: 16 << 20)
    }
}
