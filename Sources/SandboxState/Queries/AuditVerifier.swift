import JSON

/// Recomputes the audit chain record by record: each sequence number follows the last, and each
/// hash is SHA-256(previous hash ‖ canonical body). Works on stored records and on an export
/// (`sandboxctl audit verify` offline), naming the first record that fails.
public struct AuditVerifier: Sendable {
    public private(set) var lastSequence: UInt64
    public private(set) var lastHash: [UInt8]
    public private(set) var checked = 0
    /// False when verification starts mid-chain from an export whose first `prev_hash` is
    /// taken on trust (anchor it against a record verified earlier).
    private var anchored: Bool

    /// From the start of the chain (record 1 follows the zero hash).
    public init() {
        lastSequence = 0
        lastHash = AuditRecord.genesisHash
        anchored = true
    }

    /// After a record already trusted.
    public init(after sequence: UInt64, hash: [UInt8]) {
        lastSequence = sequence
        lastHash = hash
        anchored = true
    }

    /// Checks the next stored record; returns the failure, or nil.
    public mutating func check(_ record: AuditRecord) -> AuditVerification? {
        guard record.sequence == lastSequence + 1 else {
            if record.sequence <= lastSequence {
                return result(
                    failingAt: record.sequence,
                    "sequence \(record.sequence) does not follow \(lastSequence) (reordered or duplicated)")
            }
            return result(
                failingAt: lastSequence + 1,
                "record \(lastSequence + 1) is missing (the next one present is \(record.sequence))")
        }
        let expected = AuditRecord.chainHash(previous: lastHash, body: record.canonicalBody)
        guard expected == record.hash else {
            return result(failingAt: record.sequence, "hash mismatch: the record or its predecessor was changed")
        }
        if CanonicalJSON.topLevelUnsigned("seq", in: record.canonicalBody) != record.sequence,
            let body = record.body, body["seq"]?.unsigned != record.sequence
        {
            return result(failingAt: record.sequence, "the body's `seq` is not the record's sequence number")
        }
        lastSequence = record.sequence
        lastHash = record.hash
        checked += 1
        return nil
    }

    /// Checks the next exported record (a JSON object with `hash` and `prev_hash`).
    public mutating func check(exported value: JSONValue) -> AuditVerification? {
        guard case .object(var members) = value, let sequence = members["seq"]?.unsigned,
            case .string(let hashText)? = members["hash"], let hash = [UInt8](hexString: hashText), hash.count == 32,
            case .string(let previousText)? = members["prev_hash"], let previous = [UInt8](hexString: previousText)
        else {
            return result(failingAt: lastSequence + 1, "not an audit record (needs `seq`, `hash`, `prev_hash`)")
        }
        if checked == 0, lastSequence == 0, sequence != 1 {
            // An export that starts mid-chain: its first link is taken as given.
            lastSequence = sequence - 1
            lastHash = previous
            anchored = false
        }
        guard previous == lastHash || sequence != lastSequence + 1 else {
            return result(failingAt: sequence, "`prev_hash` is not the previous record's hash")
        }
        members["hash"] = nil
        members["prev_hash"] = nil
        let body = CanonicalJSON.encode(.object(members))
        guard let time = members["time_ms"]?.unsigned else {
            return result(failingAt: sequence, "missing `time_ms`")
        }
        return check(AuditRecord(sequence: sequence, timeMillis: time, hash: hash, canonicalBody: body))
    }

    /// Verifies an export (records in the order exported) from the start of the chain, or from
    /// its first record's `prev_hash` when it starts mid-chain (see ``isAnchored``).
    public static func verify(exported records: some Sequence<JSONValue>) -> AuditVerification {
        var verifier = AuditVerifier()
        for record in records {
            if let failure = verifier.check(exported: record) { return failure }
        }
        return AuditVerification(checked: verifier.checked, failure: nil)
    }

    /// Whether the first record's link was checked against a known hash.
    public var isAnchored: Bool { anchored }

    func result(failingAt sequence: UInt64, _ reason: String) -> AuditVerification {
        AuditVerification(checked: checked, failure: .init(sequence: sequence, reason: reason))
    }
}

/// The result of verifying the chain: how many records verified, and the first that did not.
public struct AuditVerification: Sendable, Hashable {
    public struct Failure: Sendable, Hashable {
        public var sequence: UInt64
        public var reason: String

        public init(sequence: UInt64, reason: String) {
            self.sequence = sequence
            self.reason = reason
        }
    }

    public var checked: Int
    public var failure: Failure?

    public init(checked: Int, failure: Failure?) {
        self.checked = checked
        self.failure = failure
    }

    public var isValid: Bool { failure == nil }
}
