/// One agent's spending on one UTC day: requests allowed and micro-dollars debited.
public struct LedgerRow: Sendable, Hashable {
    public var requests: UInt64 = 0
    public var microdollars: UInt64 = 0

    public init(requests: UInt64 = 0, microdollars: UInt64 = 0) {
        self.requests = requests
        self.microdollars = microdollars
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 17)
        w.u8(1)
        w.u64(requests)
        w.u64(microdollars)
        return w.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "ledger")
        requests = try r.u64("requests")
        microdollars = try r.u64("microdollars")
    }
}
