/// Key layout 2's row of an agent (`I/<agent>\0t`): what each of its decides changes, in one key —
/// how many request ids it has stored (and how many of them are still in key layout 1) and its
/// ledger row of `day`, the last day it was debited (docs/state.md, "Key layout version 2").
struct AgentRow: Sendable, Hashable {
    var count: UInt64 = 0
    var version1: UInt64 = 0
    var day: UInt32 = 0
    var ledger = LedgerRow()
    /// Not stored: made from key layout 1's `n/<agent>` and `l/<agent>\0<day>` (`day` is then
    /// today), which the first save moves into the row.
    var inVersion1Keys = false

    init() {}

    /// Format 1 · count · of them in layout 1 · day u32 · requests · micro-dollars.
    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 37)
        w.u8(1)
        w.u64(count)
        w.u64(version1)
        w.u32(day)
        w.u64(ledger.requests)
        w.u64(ledger.microdollars)
        return w.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "agent row")
        count = try r.u64("count")
        version1 = try r.u64("version-1 count")
        day = try r.u32("day")
        ledger = LedgerRow(requests: try r.u64("requests"), microdollars: try r.u64("microdollars"))
    }
}
