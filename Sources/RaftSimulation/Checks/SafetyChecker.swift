import Raft

/// Incremental checks of Raft's safety properties (Raft paper figure 3), fed by the simulator as
/// things happen, so that every step is checked without rescanning every log.
struct SafetyChecker {
    private struct EntryKey: Hashable {
        var index: UInt64
        var term: UInt64
    }

    private struct EntryRecord {
        var dataHash: UInt64
        var previousTerm: UInt64?
    }

    /// Election safety: the leader of each term.
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// Log matching: what each (index, term) holds and the term before it.
    private var entries: [EntryKey: EntryRecord] = [:]
    /// Terms of committed entries, by index.
    private(set) var committedTerms: [UInt64: UInt64] = [:]
    /// The lowest term in which each committed index was seen committed (an upper bound on the
    /// term in which it was committed): leaders of later terms must hold it.
    private(set) var committedInTerm: [UInt64: UInt64] = [:]
    private(set) var highestCommitted: UInt64 = 0
    /// State machine safety: the hash chain after applying each index.
    private var chainAt: [UInt64: UInt64] = [:]
    private(set) var leadersElected = 0

    /// Records that `node` is leader of `term`; returns a violation if another node was.
    mutating func observeLeader(_ node: NodeID, term: UInt64) -> (isNew: Bool, problem: String?) {
        if let other = leaderOfTerm[term] {
            if other != node { return (false, "nodes \(other) and \(node) are both leaders of term \(term)") }
            return (false, nil)
        }
        leaderOfTerm[term] = node
        leadersElected += 1
        return (true, nil)
    }

    /// A node persisted `entry` after an entry of `previousTerm` (nil when compacted).
    mutating func observePersisted(_ entry: Entry, previousTerm: UInt64?, on node: NodeID) -> String? {
        let key = EntryKey(index: entry.index, term: entry.term)
        let record = EntryRecord(dataHash: HashChainMachine.mix(0, entry), previousTerm: previousTerm)
        guard let known = entries[key] else {
            entries[key] = record
            return nil
        }
        if known.dataHash != record.dataHash {
            return "node \(node) holds a different entry at index \(entry.index) term \(entry.term)"
        }
        if let before = known.previousTerm, let now = previousTerm, before != now {
            return
                "node \(node): entry \(entry.term)/\(entry.index) follows term \(now), elsewhere term \(before): logs differ before a matching entry"
        }
        if known.previousTerm == nil { entries[key] = record }
        return nil
    }

    /// A committed entry (by any node's commit index, by being applied, or by a quorum's
    /// acknowledgements in its leader's term) is never replaced on a node that holds it and is
    /// already in the term it was committed in, or a later one: only a leader of such a term can
    /// write to it, and such a leader holds the entry (Raft §5.4). `stored` is the term the node's
    /// storage holds at `index`, `nodeTerm` its stored term, before `replacement` is written
    /// there. (A node still in an older term may take a stale leader's entry there, legally,
    /// until a newer leader repairs its log.)
    func overwriteProblem(index: UInt64, stored: UInt64, replacement: UInt64?, nodeTerm: UInt64, on node: NodeID)
        -> String?
    {
        guard let committed = committedTerms[index], committed == stored, replacement != stored,
            let inTerm = committedInTerm[index], nodeTerm >= inTerm
        else { return nil }
        let by = replacement.map { "with \($0)/\(index)" } ?? "by truncating its log"
        return "node \(node) replaces the committed entry \(committed)/\(index) \(by)"
    }

    /// `node` committed index `index`, which has term `term` in its log.
    mutating func observeCommitted(index: UInt64, term: UInt64, on node: NodeID, inTerm: UInt64) -> String? {
        committedInTerm[index] = min(committedInTerm[index] ?? .max, inTerm)
        if let known = committedTerms[index], known != term {
            return "node \(node) committed term \(term) at index \(index), but term \(known) was committed there"
        }
        committedTerms[index] = term
        highestCommitted = max(highestCommitted, index)
        return nil
    }

    /// A node applied `index`, reaching `hash`.
    mutating func observeApplied(index: UInt64, hash: UInt64, on node: NodeID) -> String? {
        if let known = chainAt[index] {
            if known != hash { return "node \(node) applied a different history up to index \(index)" }
            return nil
        }
        chainAt[index] = hash
        return nil
    }
}
