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
