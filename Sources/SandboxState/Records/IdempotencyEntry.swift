/// What a request id maps to: the audit record of its answer, when it was answered, and (in
/// key layout version 1 only, written and never read) the approval a `needs_approval` answer
/// waits for: a replay reads the answer from the audit record.
struct IdempotencyEntry: Sendable, Hashable {
    var sequence: UInt64
    var timeMillis: UInt64
    var outcome: DecisionAnswer.Outcome
    var approvalID: UInt64?
    /// The key layout it is stored in (docs/state.md, "Key layout"): 1 (`i/`, `q/`, counted in
    /// `n/`), 2 (the agent's region; its answer-order key holds the request id) or 3 (the
    /// agent's region; its answer-order key holds this entry too, so the count's trim reads
    /// nothing more). Set by the apply rules that store it, and by the format byte when read.
    var layout: UInt8 = 2

    /// Stored in key layout version 1 (`i/`, `q/`, counted in `n/`), not in the agent's region.
    var isVersion1: Bool { layout == 1 }

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

    /// The value of versions 2 and 3 (`I/<agent>\0r<requestID>` and its copy in `j/`): format
    /// (the layout, 2 or 3) · sequence · time · outcome; `inRegionBytes` long.
    var encodedInRegion: [UInt8] {
        var w = ByteWriter(capacity: Self.inRegionBytes)
        w.u8(layout == 3 ? 3 : 2)
        w.u64(sequence)
        w.u64(timeMillis)
        w.u8(outcomeByte)
        return w.bytes
    }

    static let inRegionBytes = 18
    /// The first byte of a layout 3 answer-order value: never the first byte of UTF-8 text, so
    /// a layout 2 value (the request id alone) is never taken for one.
    static let indexMark: UInt8 = 0xFF

    /// The value of the agent's answer-order key (`I/<agent>\0s<sequence>`): in layout 2 the
    /// request id; in layout 3 ``indexMark`` · ``encodedInRegion`` · the request id. A caller
    /// that holds ``encodedInRegion`` already passes it, so it is not built again.
    func indexValue(requestID: String, encodedInRegion known: [UInt8]? = nil) -> [UInt8] {
        guard layout == 3 else { return Array(requestID.utf8) }
        let value = known ?? encodedInRegion
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 + value.count + requestID.utf8.count)
        bytes.append(Self.indexMark)
        bytes += value
        bytes += requestID.utf8
        return bytes
    }

    /// An answer-order value read back: the request id, and the entry when the value holds it
    /// (layout 3).
    static func decodingIndexValue(_ bytes: [UInt8]) throws(DecodingError) -> (
        requestID: String, entry: IdempotencyEntry?
    ) {
        guard bytes.first == indexMark else { return (String(decoding: bytes, as: UTF8.self), nil) }
        guard bytes.count >= 1 + inRegionBytes else { throw DecodingError("answer-order value is too short") }
        let entry = try IdempotencyEntry(decoding: Array(bytes[1...inRegionBytes]))
        guard entry.layout == 3 else { throw DecodingError("answer-order value holds a layout \(entry.layout) entry") }
        return (String(decoding: bytes[(1 + inRegionBytes)...], as: UTF8.self), entry)
    }

    /// Any version's value (the format byte tells them apart).
    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var r = ByteReader(bytes)
        let format = try r.u8("idempotency record format")
        guard (1...3).contains(format) else { throw DecodingError("idempotency record format \(format) is unknown") }
        layout = format
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
        } else {
            approvalID = nil
        }
    }
}
