/// What a request id maps to: the audit record of its answer, when it was answered, and (in
/// key layout version 1 only, written and never read) the approval a `needs_approval` answer
/// waits for: a replay reads the answer from the audit record.
struct IdempotencyEntry: Sendable, Hashable {
    var sequence: UInt64
    var timeMillis: UInt64
    var outcome: DecisionAnswer.Outcome
    var approvalID: UInt64?
    /// Stored in key layout version 1 (`i/`, `q/`, counted in `n/`), not in the agent's region.
    var isVersion1 = false

    init(sequence: UInt64, timeMillis: UInt64, outcome: DecisionAnswer.Outcome, approvalID: UInt64?) {
        self.sequence = sequence
        self.timeMillis = timeMillis
        self.outcome = outcome
        self.approvalID = approvalID
    }

    private var outcomeByte: UInt8 { outcome == .allow ? 1 : outcome == .deny ? 2 : 3 }

    /// Version 1's value: format 1 · sequence · time · outcome · approval id (0: none).
    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 26)
        w.u8(1)
        w.u64(sequence)
        w.u64(timeMillis)
        w.u8(outcomeByte)
        w.u64(approvalID ?? 0)
        return w.bytes
    }

    /// Version 2's value (`I/<agent>\0r<requestID>` and its copy in `j/`): format 2 · sequence
    /// · time · outcome.
    var encodedVersion2: [UInt8] {
        var w = ByteWriter(capacity: 18)
        w.u8(2)
        w.u64(sequence)
        w.u64(timeMillis)
        w.u8(outcomeByte)
        return w.bytes
    }

    /// Either version's value (the format byte tells them apart).
    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        let format = try r.u8("idempotency record format")
        guard format == 1 || format == 2 else { throw DecodingError("idempotency record format \(format) is unknown") }
        sequence = try r.u64("sequence")
        timeMillis = try r.u64("time")
        switch try r.u8("outcome") {
        case 1: outcome = .allow
        case 2: outcome = .deny
        case 3: outcome = .needsApproval
        case let other: throw DecodingError("unknown outcome \(other)")
        }
        if format == 1 {
            let approval = try r.u64("approval")
            approvalID = approval == 0 ? nil : approval
            isVersion1 = true
        } else {
            approvalID = nil
        }
    }
}
