/// Reading the audit log: by time range as pages in sequence order, and verifying the chain.
extension StateQueries {
    /// The next sequence number and the hash of the last record (the chain's head).
    public func auditHead() throws -> (nextSequence: UInt64, lastHash: [UInt8]) {
        guard let bytes = try reader.value(for: StateKeys.auditHead) else { return (1, AuditRecord.genesisHash) }
        let head = try stored { () throws(DecodingError) in try AuditHead(decoding: bytes) }
        return (head.nextSequence, head.lastHash)
    }

    public func auditRecord(_ sequence: UInt64) throws -> AuditRecord? {
        guard let bytes = try reader.value(for: StateKeys.audit(sequence)) else { return nil }
        return try stored { () throws(DecodingError) in try AuditRecord(sequence: sequence, decoding: bytes) }
    }

    /// The first sequence number whose time is at or after `timeMillis` (the next sequence
    /// number if none). Entry time never goes back, so times grow with sequence numbers and a
    /// binary search over the dense sequence finds it in O(log n) reads: no separate time index.
    public func firstAuditSequence(atOrAfterMillis timeMillis: UInt64) throws -> UInt64 {
        var low: UInt64 = 1
        var high = try auditHead().nextSequence
        while low < high {
            let middle = low + (high - low) / 2
            guard let record = try auditRecord(middle) else {
                throw StateStorageError("audit record \(middle) is missing (the sequence must be dense)")
            }
            if record.timeMillis < timeMillis { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// One page of the records whose time is within `fromSeconds...toSeconds` (epoch seconds,
    /// inclusive, as `/v1/audit/export?from=&to=`), in sequence order, starting after the
    /// sequence `after` (the cursor: the last sequence of the previous page), at most `limit`.
    /// An empty page means the range is done.
    public func auditRecords(fromSeconds: UInt64, toSeconds: UInt64, after: UInt64? = nil, limit: Int = 1000) throws
        -> [AuditRecord]
    {
        let (fromMillis, fromOverflow) = fromSeconds.multipliedReportingOverflow(by: 1000)
        guard !fromOverflow, fromSeconds <= toSeconds, limit > 0 else { return [] }
        let endMillis = toSeconds >= UInt64.max / 1000 ? UInt64.max : toSeconds * 1000 + 999
        var sequence = try firstAuditSequence(atOrAfterMillis: fromMillis)
        if let after {
            guard after < UInt64.max else { return [] }
            sequence = max(sequence, after + 1)
        }
        let start = StateKeys.audit(sequence - 1)
        var records: [AuditRecord] = []
        for pair in try reader.scan(prefix: StateKeys.auditPrefix, after: start, limit: limit) {
            let seq = StateKeys.readBigEndian(pair.key.dropFirst(StateKeys.auditPrefix.count))
            let record = try stored { () throws(DecodingError) in try AuditRecord(sequence: seq, decoding: pair.value) }
            if record.timeMillis > endMillis { break }
            records.append(record)
        }
        return records
    }

    /// Recomputes the chain over the stored records `from...to` (sequence numbers; default all)
    /// and names the first record that does not verify.
    public func verifyAudit(from: UInt64 = 1, to: UInt64? = nil) throws -> AuditVerification {
        let head = try auditHead()
        let last = min(to ?? head.nextSequence - 1, head.nextSequence - 1)
        var verifier = AuditVerifier()
        if from > 1 {
            guard let previous = try auditRecord(from - 1) else {
                return AuditVerification(checked: 0, failure: .init(sequence: from - 1, reason: "record is missing"))
            }
            verifier = AuditVerifier(after: previous.sequence, hash: previous.hash)
        }
        var sequence = max(from, 1)
        while sequence <= last {
            let page = try reader.scan(
                prefix: StateKeys.auditPrefix, after: StateKeys.audit(sequence - 1),
                limit: Int(min(last - sequence + 1, 1000)))
            if page.isEmpty { break }
            for pair in page {
                let seq = StateKeys.readBigEndian(pair.key.dropFirst(StateKeys.auditPrefix.count))
                guard let record = try? AuditRecord(sequence: seq, decoding: pair.value) else {
                    return verifier.result(failingAt: seq, "the stored record cannot be read")
                }
                if let failure = verifier.check(record) { return failure }
                sequence = seq + 1
            }
        }
        if sequence <= last { return verifier.result(failingAt: sequence, "record is missing") }
        if to == nil, verifier.lastHash != head.lastHash, verifier.checked > 0 {
            return verifier.result(failingAt: last, "the chain's head hash does not match the last record")
        }
        return AuditVerification(checked: verifier.checked, failure: nil)
    }
}
