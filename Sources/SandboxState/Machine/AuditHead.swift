/// The end of the audit chain: the next sequence number and the last record's hash.
struct AuditHead: Sendable, Hashable {
    var nextSequence: UInt64 = 1
    var lastHash: [UInt8] = AuditRecord.genesisHash

    init() {}

    /// Chains a record written as `AuditRecord.headerPlaceholder + body` after this head: fills
    /// in its header and moves the head past it. Returns its sequence number.
    mutating func chain(_ record: inout [UInt8], timeMillis: UInt64) -> UInt64 {
        let sequence = nextSequence
        lastHash = AuditRecord.fillHeader(&record, previous: lastHash, timeMillis: timeMillis)
        nextSequence = sequence + 1
        return sequence
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 41)
        w.u8(1)
        w.u64(nextSequence)
        w.raw(lastHash)
        return w.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "audit head")
        nextSequence = try r.u64("next sequence")
        lastHash = try r.raw(32, "last hash")
    }
}
