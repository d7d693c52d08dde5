/// What a request id maps to: the audit record of its answer, when it was answered, and (for
/// `needs_approval`) the approval it waits for.
struct IdempotencyEntry: Sendable, Hashable {
    var sequence: UInt64
    var timeMillis: UInt64
    var outcome: DecisionAnswer.Outcome
    var approvalID: UInt64?

    init(sequence: UInt64, timeMillis: UInt64, outcome: DecisionAnswer.Outcome, approvalID: UInt64?) {
        self.sequence = sequence
        self.timeMillis = timeMillis
        self.outcome = outcome
        self.approvalID = approvalID
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 26)
        w.u8(1)
        w.u64(sequence)
        w.u64(timeMillis)
        w.u8(outcome == .allow ? 1 : outcome == .deny ? 2 : 3)
        w.u64(approvalID ?? 0)
        return w.bytes
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "idempotency")
        sequence = try r.u64("sequence")
        timeMillis = try r.u64("time")
        switch try r.u8("outcome") {
        case 1: outcome = .allow
        case 2: outcome = .deny
        case 3: outcome = .needsApproval
        case let other: throw DecodingError("unknown outcome \(other)")
        }
        let approval = try r.u64("approval")
        approvalID = approval == 0 ? nil : approval
    }
}
