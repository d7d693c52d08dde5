/// Request ids and their answers, per agent: kept for a window of entry time (24 h) and up to a
/// count per agent (the oldest answers go first), with a cluster-wide cap as a safety bound
/// (docs/state.md, "Idempotency").
///
/// Two key layouts (docs/state.md, "Key layout"). Version 1 (apply rules 1): `i/<agent>\0<id>`
/// the answer, `q/<agent>\0<seq>` the agent's ids in answer order, `n/<agent>` its count.
/// Version 2 (apply rules 2 on): `I/<agent>\0r<id>`, `I/<agent>\0s<seq>` and the count in the
/// agent row `I/<agent>\0t`, so a decide's writes sort together, and `j/` holds a copy of the
/// answer's entry, so the window's sweep reads nothing. After the move ids stored under version
/// 1 stay where they are until they leave (window, count or cap); new ones go to version 2; the
/// count moves into the agent row at the agent's first change after the move.
extension StateMachine {
    func idempotencyEntry(agent: String, requestID: String) throws -> IdempotencyEntry? {
        if rulesVersion >= 2 {
            if let bytes = try overlay.get(StateKeys.agentRequestID(agent, requestID)) {
                return try stored { () throws(DecodingError) in try IdempotencyEntry(decoding: bytes) }
            }
            // Version 1's keys are read only while the agent still has ids there.
            guard try requestIDCounts(of: agent).version1 > 0 else { return nil }
        }
        guard let bytes = try overlay.get(StateKeys.idempotency(agent: agent, requestID: requestID)) else { return nil }
        return try stored { () throws(DecodingError) in try IdempotencyEntry(decoding: bytes) }
    }

    /// Stores the answer's reference under a new request id, then keeps the agent within its
    /// count.
    func remember(_ entry: IdempotencyEntry, agent: String, requestID: String) throws {
        idempotencyCount += 1
        var counts = try requestIDCounts(of: agent)
        counts.count += 1
        if rulesVersion < 2 {
            counts.version1 += 1
            try setRequestIDCounts(of: agent, to: counts)
            overlay.put(StateKeys.idempotency(agent: agent, requestID: requestID), entry.encoded)
            overlay.insert(
                StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID),
                StateKeys.bigEndian(entry.sequence))
            overlay.insert(StateKeys.idempotencyByAgent(agent, entry.sequence), Array(requestID.utf8))
        } else {
            try setRequestIDCounts(of: agent, to: counts)
            var entry = entry
            entry.layout = rulesVersion >= 3 ? 3 : 2
            let value = entry.encodedInRegion
            overlay.put(StateKeys.agentRequestID(agent, requestID), value)
            overlay.insert(StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID), value)
            overlay.insert(
                StateKeys.agentRequestIDInOrder(agent, entry.sequence),
                entry.indexValue(requestID: requestID, encodedInRegion: value))
        }
        if let next = sweeps.nextRequestIDExpiry {
            sweeps.nextRequestIDExpiry = min(next, entry.timeMillis + limits.idempotencyWindowMillis)
        }
        if counts.count > UInt64(limits.maxIdempotencyKeysPerAgent) { try trimRequestIDs(of: agent) }
    }

    /// Forgets one request id, from the layout `entry` was stored in.
    /// `entry` is the stored one: its index keys' values follow from it, so the digest's update
    /// at commit need not read them. Unless the window's sweep is the caller, the id's time key
    /// leaves the sweep's page too (``ExpiryQueue/drop(_:)``). The sweep passes the time key it
    /// read and, in key layout 2, its value (the answer's stored value too), so neither is built
    /// again.
    func forget(
        _ entry: IdempotencyEntry, agent: String, requestID: String, bySweep: Bool = false,
        timeKey knownTimeKey: [UInt8]? = nil, storedValue: [UInt8]? = nil
    ) throws {
        let timeKey =
            knownTimeKey ?? StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID)
        var counts = try requestIDCounts(of: agent)
        if entry.isVersion1 {
            overlay.delete(StateKeys.idempotency(agent: agent, requestID: requestID))
            overlay.delete(timeKey, stored: StateKeys.bigEndian(entry.sequence))
            overlay.delete(StateKeys.idempotencyByAgent(agent, entry.sequence), stored: Array(requestID.utf8))
            counts.version1 = counts.version1 > 0 ? counts.version1 - 1 : 0
        } else {
            let value = storedValue ?? entry.encodedInRegion
            overlay.delete(StateKeys.agentRequestID(agent, requestID), stored: value)
            overlay.delete(timeKey, stored: value)
            overlay.delete(
                StateKeys.agentRequestIDInOrder(agent, entry.sequence),
                stored: entry.indexValue(requestID: requestID, encodedInRegion: value))
        }
        if !bySweep { sweeps.requestIDs.drop(timeKey) }
        if !trimQueues.isEmpty { trimQueues[agent]?.remove(sequence: entry.sequence) }
        idempotencyCount -= 1
        counts.count = counts.count > 0 ? counts.count - 1 : 0
        try setRequestIDCounts(of: agent, to: counts)
    }

    /// The agent's oldest answers (by sequence) go until it is within its count; ids already
    /// outside the window at its front go too (they are forgotten anyway), so the count bounds the
    /// ids still answered. At most `maxExpiriesPerEntry` go per entry. The candidates come from the
    /// agent's ``TrimQueue``: one scan of its index reads a page of them, starting after the last id
    /// trimmed before (`requestIDFloors`), not at the start of the agent's range, where every id
    /// forgotten so far left a tombstone: O(trimmed), not O(ever stored), and one scan per page
    /// rather than per entry, since an agent at its count trims one id with each new one. Ids
    /// still in version 1's layout are older than every id in version 2's, so they go first.
    private func trimRequestIDs(of agent: String) throws {
        var trimmed = 0
        while trimmed < limits.maxExpiriesPerEntry {
            guard let candidate = try oldestRequestID(of: agent) else { return }
            // Layout 3's index holds the entry; layout 1's and 2's hold the id alone.
            guard let entry = try candidate.entry ?? idempotencyEntry(agent: agent, requestID: candidate.requestID)
            else {
                throw StateStorageError(
                    "request id `\(candidate.requestID)` of agent `\(agent)` is indexed but not stored")
            }
            let expired = entry.timeMillis + limits.idempotencyWindowMillis <= clockMillis
            let over = try requestIDCounts(of: agent).count > UInt64(limits.maxIdempotencyKeysPerAgent)
            guard expired || over else { return }
            try forget(entry, agent: agent, requestID: candidate.requestID)  // leaves the queue too
            // Every id of the agent up to this one is gone; new ones get later sequences.
            if requestIDFloors.count >= limits.maxCachedAgents { requestIDFloors.removeAll(keepingCapacity: true) }
            requestIDFloors[agent] = entry.sequence
            trimmed += 1
        }
    }

    /// The agent's oldest stored request id after its floor: the front of its trim queue, which
    /// one scan of a page refills when it is empty (from version 1's index while the agent has
    /// ids there, then from version 2's). Nil when it has none.
    private func oldestRequestID(of agent: String) throws -> TrimQueue.Candidate? {
        if let front = trimQueues[agent]?.front { return front }
        let pageSize = dropTrimQueue(of: agent)?.nextPageSize ?? TrimQueue.firstPageSize
        for _ in 0..<2 {
            let version1 = try requestIDCounts(of: agent).version1
            let inVersion1 = rulesVersion < 2 || version1 > 0
            let prefix = inVersion1 ? StateKeys.idempotencyByAgent(agent) : StateKeys.agentRequestIDsInOrder(agent)
            let after = requestIDFloors[agent].map {
                inVersion1 ? StateKeys.idempotencyByAgent(agent, $0) : StateKeys.agentRequestIDInOrder(agent, $0)
            }
            let page = try overlay.scan(prefix: prefix, after: after, limit: pageSize)
            let queue = try stored { () throws(DecodingError) in
                try TrimQueue(page: page, pageSize: pageSize, prefixBytes: prefix.count)
            }
            if let queue, let front = queue.front {
                if trimQueues.count >= TrimQueue.maxAgents || trimQueueCandidates + pageSize > TrimQueue.maxCandidates {
                    trimQueues.removeAll(keepingCapacity: true)
                    trimQueueCandidates = 0
                }
                trimQueues[agent] = queue
                trimQueueCandidates += pageSize
                return front
            }
            // Version 1's ids are all gone: go on with version 2's.
            guard inVersion1, rulesVersion >= 2, version1 == 0 else { return nil }
        }
        return nil
    }

    /// Forgets the agent's trim queue, if it has one, and returns it.
    @discardableResult
    func dropTrimQueue(of agent: String) -> TrimQueue? {
        guard let queue = trimQueues.removeValue(forKey: agent) else { return nil }
        trimQueueCandidates -= queue.pageSize
        return queue
    }

    /// How many request ids the agent has stored.
    func requestIDCount(of agent: String) throws -> UInt64 { try requestIDCounts(of: agent).count }

    /// The agent's request-id counts (`n/<agent>` in key layout 1, cached; the agent's row in 2).
    func requestIDCounts(of agent: String) throws -> RequestIDCounts {
        if rulesVersion >= 2 {
            let row = try agentRow(agent)
            return RequestIDCounts(count: row.count, version1: row.version1)
        }
        if let cached = requestIDCounts[agent] { return cached }
        var counts = RequestIDCounts()
        if let bytes = try overlay.get(StateKeys.idempotencyAgentCount(agent)) {
            let count = try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
            counts = RequestIDCounts(count: count, version1: count)
        }
        if requestIDCounts.count >= limits.maxCachedAgents { requestIDCounts.removeAll(keepingCapacity: true) }
        requestIDCounts[agent] = counts
        return counts
    }

    private func setRequestIDCounts(of agent: String, to new: RequestIDCounts) throws {
        if rulesVersion >= 2 {
            var row = try agentRow(agent)
            row.count = new.count
            row.version1 = new.version1
            try save(row, for: agent)
            return
        }
        let old = try requestIDCounts(of: agent)
        let key = StateKeys.idempotencyAgentCount(agent)  // a count of 0 is an absent key
        overlay.noteStored(key, old.count == 0 ? nil : ByteWriter.number(old.count))
        if new.count == 0 {
            overlay.delete(key)
        } else {
            overlay.put(key, ByteWriter.number(new.count))
        }
        requestIDCounts[agent] = new
    }
}

/// One agent's stored request ids: how many, and how many of them are still in key layout 1
/// (under rules 1: all of them).
struct RequestIDCounts: Equatable {
    var count: UInt64 = 0
    var version1: UInt64 = 0
}

/// The oldest request ids of one agent after its floor, in sequence order, as one scan of its
/// index read them: the candidates of its count's trim (``StateMachine/trimRequestIDs(of:)``).
/// A cache that stays exact: an id forgotten by any path leaves it (`forget`), ids stored later
/// have later sequences than all of it, and the caches of an agent whose entry was refused go
/// (`forgetCaches`), as do all of them on `reload`.
struct TrimQueue {
    struct Candidate {
        var sequence: UInt64
        var requestID: String
        /// The stored entry, when the index holds it (key layout 3).
        var entry: IdempotencyEntry?
    }

    /// Ids read by an agent's first scan. Each full page read right after the agent's previous
    /// one emptied doubles the next, up to ``maxPageSize``: an agent at its count trims one id
    /// with each new one, and a scan costs about as much as 100 of its ids (an iterator over the
    /// memtables and every SST level), so its steady state reads 256 at a time.
    static let firstPageSize = 32
    static let maxPageSize = 256
    /// Agents with a queue at most (an agent gets one at its first trim and keeps it until the
    /// queue empties with no id left to read, or the cache is cleared; all go at once when a new
    /// one would pass this or ``maxCandidates``).
    static let maxAgents = 1_024
    /// Candidates held by all queues together at most, each queue counted at its page's size
    /// (`trimQueueCandidates`): 1,024 agents' first pages, or 128 agents' largest; at most
    /// `maxIdentifierBytes` each, a few MB at worst.
    static let maxCandidates = 32_768

    private var candidates: [Candidate]
    private var head = 0
    /// How many ids the scan that read this page asked for.
    let pageSize: Int
    /// Whether the scan found that many (so the agent may have more after them).
    private let filled: Bool

    /// A page of the agent's index (keys: its prefix and a big-endian sequence; values: the ids,
    /// in layout 3 with their entries, ``IdempotencyEntry/indexValue(requestID:)``), read with a
    /// limit of `pageSize`; nil when the page is empty.
    init?(page: [(key: [UInt8], value: [UInt8])], pageSize: Int, prefixBytes: Int) throws(DecodingError) {
        guard !page.isEmpty else { return nil }
        self.pageSize = pageSize
        filled = page.count >= pageSize
        var candidates: [Candidate] = []
        candidates.reserveCapacity(page.count)
        for (key, value) in page {
            let sequence = StateKeys.readBigEndian(key.dropFirst(prefixBytes))
            let (requestID, entry) = try IdempotencyEntry.decodingIndexValue(value)
            if let entry, entry.sequence != sequence {
                throw DecodingError("answer-order key \(sequence) holds the entry of \(entry.sequence)")
            }
            candidates.append(Candidate(sequence: sequence, requestID: requestID, entry: entry))
        }
        self.candidates = candidates
    }

    var front: Candidate? { head < candidates.count ? candidates[head] : nil }

    /// The limit of the agent's next scan, once this page is spent: twice this one's when the
    /// scan filled it (the agent has more ids after it), up to ``maxPageSize``.
    var nextPageSize: Int { filled ? min(pageSize * 2, Self.maxPageSize) : pageSize }

    /// The id stored under `sequence` was forgotten: it leaves the queue if it is in it.
    mutating func remove(sequence: UInt64) {
        if head < candidates.count, candidates[head].sequence == sequence {
            head += 1
        } else if let last = candidates.last, sequence > last.sequence {
            return  // stored after the page (most forgotten ids of an agent not at its count)
        } else if let index = candidates[head...].firstIndex(where: { $0.sequence == sequence }) {
            candidates.remove(at: index)
        }
    }
}
