/// The kinds of message Raft nodes exchange.
public enum MessageKind: UInt8, Sendable, Hashable, CaseIterable {
    /// Leader to follower: entries after `index`/`logTerm`, and the leader's commit index.
    case append = 1
    /// Follower to leader: `index` is the follower's last matching index, or the rejected index
    /// with `rejectHint`/`logTerm` pointing at where the leader should probe next.
    case appendResponse
    /// Leader to follower: keeps the follower's election timer quiet and carries the commit index
    /// (capped at what the follower has) and the current read round.
    case heartbeat
    /// Follower to leader: acknowledges a heartbeat (and its read round).
    case heartbeatResponse
    /// Candidate to voter: asks for a vote in `term` for a log ending at `index`/`logTerm`.
    case vote
    case voteResponse
    /// Pre-candidate to voter: would you vote for me in `term` (not yet adopted)?
    case preVote
    case preVoteResponse
    /// Leader to follower: a snapshot to install because the entries it needs are compacted.
    case snapshot
    /// Leader to the transfer target: start an election now, skipping PreVote.
    case timeoutNow
    /// Follower to leader: a ReadIndex request forwarded with its `context`.
    case readIndex
    /// Leader to follower: the read index (`index`) for the request carrying `context`.
    case readIndexResponse
}

/// A message between two Raft nodes: a plain value, so a runtime can encode it as it likes.
///
/// Fields not used by a kind are left at their zero values.
public struct Message: Sendable, Hashable {
    public var kind: MessageKind
    public var from: NodeID
    public var to: NodeID
    public var term: UInt64
    /// The term of the entry at `index` (append, vote), or the hint term of a rejection.
    public var logTerm: UInt64
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var reject: Bool
    /// On a rejected append: the index the leader should probe next.
    public var rejectHint: UInt64
    /// A snapshot to install (`.snapshot` messages only).
    public var snapshot: Snapshot? {
        get { snapshotBox?.snapshot }
        set { snapshotBox = newValue.map(SnapshotBox.init) }
    }
    /// Boxed so that the many messages without a snapshot copy one pointer, not three arrays.
    private var snapshotBox: SnapshotBox?
    /// ReadIndex requests and responses: the caller's opaque request context.
    public var context: [UInt8]
    /// Heartbeats and their responses: the leader's read round being confirmed.
    public var readRound: UInt64
    /// Vote requests sent because of a leadership transfer: they bypass the leader lease.
    public var isTransfer: Bool

    public init(
        kind: MessageKind, from: NodeID, to: NodeID, term: UInt64, logTerm: UInt64 = 0, index: UInt64 = 0,
        entries: [Entry] = [], commit: UInt64 = 0, reject: Bool = false, rejectHint: UInt64 = 0,
        snapshot: Snapshot? = nil, context: [UInt8] = [], readRound: UInt64 = 0, isTransfer: Bool = false
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.reject = reject
        self.rejectHint = rejectHint
        self.snapshotBox = snapshot.map(SnapshotBox.init)
        self.context = context
        self.readRound = readRound
        self.isTransfer = isTransfer
    }

    /// An estimate of the encoded size in bytes, for message and batch limits.
    public var byteSize: Int {
        var size = 64 + context.count
        for entry in entries { size += entry.byteSize }
        if let snapshot {
            size +=
                32 + snapshot.data.count + 8
                * (snapshot.metadata.conf.voters.count + snapshot.metadata.conf.learners.count)
        }
        return size
    }
}

/// Immutable holder of a message's snapshot.
final class SnapshotBox: Sendable, Hashable {
    let snapshot: Snapshot

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
    }

    static func == (lhs: SnapshotBox, rhs: SnapshotBox) -> Bool { lhs.snapshot == rhs.snapshot }
    func hash(into hasher: inout Hasher) { hasher.combine(snapshot) }
}

extension Entry {
    /// An estimate of the encoded size in bytes (header plus payload).
    public var byteSize: Int { 24 + data.count }
}

extension Message: CustomStringConvertible {
    /// A compact one-line rendering used by traces and the interaction tests.
    public var description: String {
        var text = "\(from)->\(to) \(kind) term=\(term)"
        switch kind {
        case .append:
            text += " log=\(logTerm)/\(index) commit=\(commit)"
            if !entries.isEmpty { text += " entries=[" + entries.map(\.shortDescription).joined(separator: " ") + "]" }
        case .appendResponse:
            text += reject ? " rejected=\(index) hint=\(logTerm)/\(rejectHint)" : " index=\(index)"
        case .heartbeat:
            text += " commit=\(commit)"
            if readRound > 0 { text += " round=\(readRound)" }
        case .heartbeatResponse:
            if readRound > 0 { text += " round=\(readRound)" }
        case .vote, .preVote:
            text += " log=\(logTerm)/\(index)"
            if isTransfer { text += " transfer" }
        case .voteResponse, .preVoteResponse:
            text += reject ? " rejected" : " granted"
        case .snapshot:
            if let snapshot { text += " snapshot=\(snapshot.metadata.term)/\(snapshot.metadata.index)" }
        case .timeoutNow:
            break
        case .readIndex:
            text += " context=\(String(decoding: context, as: UTF8.self))"
        case .readIndexResponse:
            text += " index=\(index) context=\(String(decoding: context, as: UTF8.self))"
        }
        return text
    }
}

extension Entry {
    /// `term/index` plus the payload as text (or the decoded change for membership entries).
    public var shortDescription: String {
        switch kind {
        case .normal:
            return data.isEmpty
                ? "\(term)/\(index)" : "\(term)/\(index):\(String(decoding: data.prefix(32), as: UTF8.self))"
        case .configChange:
            let change = (try? ConfChange(decoding: data)).map { "\($0)" } ?? "invalid"
            return "\(term)/\(index):\(change)"
        }
    }
}
