/// Where an agent's policy stands: the latest version number (versions only grow), the
/// version that decides, the version in shadow (0: none), and the daily budget limits of the
/// enforced version (read by the ledger and the budget query without compiling the policy).
public struct PolicyHead: Sendable, Hashable {
    public var latest: UInt32 = 0
    public var enforced: UInt32 = 0
    public var shadow: UInt32 = 0
    public var maxRequestsPerDay: UInt64?
    public var maxMicrodollarsPerDay: UInt64?

    public init() {}

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 32)
        w.u8(1)
        w.u32(latest)
        w.u32(enforced)
        w.u32(shadow)
        w.bool(maxRequestsPerDay != nil)
        w.u64(maxRequestsPerDay ?? 0)
        w.bool(maxMicrodollarsPerDay != nil)
        w.u64(maxMicrodollarsPerDay ?? 0)
        return w.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "policy head")
        latest = try r.u32("latest")
        enforced = try r.u32("enforced")
        shadow = try r.u32("shadow")
        let hasRequests = try r.bool("request limit present")
        let requests = try r.u64("request limit")
        maxRequestsPerDay = hasRequests ? requests : nil
        let hasMoney = try r.bool("money limit present")
        let money = try r.u64("money limit")
        maxMicrodollarsPerDay = hasMoney ? money : nil
    }
}
