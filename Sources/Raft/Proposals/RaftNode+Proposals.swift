// Proposals: only the leader appends; everything else is refused with a typed error.
extension RaftNode {
    /// Appends one command to the leader's log and returns its index. It is sent with the next
    /// `ready()` together with every other proposal made since (one append per follower).
    @discardableResult
    public func propose(_ data: [UInt8]) throws(RaftError) -> UInt64 {
        try proposeEntries(CollectionOfOne(data), kind: .normal).upperBound
    }

    /// Appends many commands at once; returns the indices they got.
    @discardableResult
    public func propose(batch: [[UInt8]]) throws(RaftError) -> ClosedRange<UInt64> {
        try proposeEntries(batch, kind: .normal)
    }

    /// Proposes a single-server membership change; returns the entry's index. Refused while a
    /// previous change is not applied yet, and for promotions of learners that lag behind.
    @discardableResult
    public func proposeConfChange(_ change: ConfChange) throws(RaftError) -> UInt64 {
        try checkCanPropose()
        if pendingConfIndex > log.applied { throw .configChangePending(index: pendingConfIndex) }
        try validate(change)
        let index = try proposeEntries(CollectionOfOne(change.encoded()), kind: .configChange).upperBound
        pendingConfIndex = index
        return index
    }

    func checkCanPropose() throws(RaftError) {
        try checkRunning()
        guard role == .leader else { throw leader == 0 ? .noLeader : .notLeader(leader: leader) }
        if transferTarget != 0 { throw .transferInProgress(target: transferTarget) }
    }

    func proposeEntries(_ payloads: some Collection<[UInt8]>, kind: EntryKind) throws(RaftError) -> ClosedRange<
        UInt64
    > {
        try checkCanPropose()
        let limits = config.limits
        guard !payloads.isEmpty else { throw .batchTooLarge(count: 0, limit: limits.maxEntriesPerProposal) }
        guard payloads.count <= limits.maxEntriesPerProposal else {
            throw .batchTooLarge(count: payloads.count, limit: limits.maxEntriesPerProposal)
        }
        var bytes = 0
        for payload in payloads {
            guard payload.count <= limits.maxEntryBytes else {
                throw .entryTooLarge(size: payload.count, limit: limits.maxEntryBytes)
            }
            bytes += payload.count
        }
        if uncommittedBytes > 0 && uncommittedBytes + bytes > limits.maxUncommittedBytes {
            throw .tooManyUncommitted(limit: limits.maxUncommittedBytes)
        }
        uncommittedBytes += bytes
        let first = log.lastIndex() + 1
        var next = first
        var entries: [Entry] = []
        entries.reserveCapacity(payloads.count)
        for payload in payloads {
            entries.append(Entry(term: term, index: next, kind: kind, data: payload))
            next += 1
        }
        let last = log.append(entries)
        _ = invariants.require(last == next - 1, "leader append landed at \(last), expected \(next - 1)")
        needsBroadcast = true
        return first...(next - 1)
    }
}
