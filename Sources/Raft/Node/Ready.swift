/// Everything the runtime must do for a node, in one batch. Handle it in this order, then call
/// `RaftNode.advance(_:)` before stepping the node again:
///
/// 1. send `messages` (they depend on nothing unpersisted; may go at once, in parallel with 2-3);
/// 2. install `snapshot` if present, crash-safely: the state machine's state at its index first
///    (durable), then the log reset with `RaftLogStorage.applySnapshot` — in one atomic write
///    where the store can (the RocksDB store's state installer moves the log as it finishes, and
///    refuses `applySnapshot` before it), since a log reset with no state behind it loses the
///    entries in between at a crash;
/// 3. append `entries` and set `hardState` (if present) durably;
/// 4. only then send `messagesAfterPersist` (votes and acknowledgements that vouch for 2 and 3);
/// 5. apply `committedEntries` in order (calling `applyConfChange` for membership entries);
///    the first `durableCommittedCount` of them are in stable storage already and may be applied
///    before 2-3, in parallel with the write;
/// 6. serve reads in `readStates` once the state machine has applied their index.
///
/// A `Ready` whose `failure` is set carries nothing else: the node stopped (its storage failed a
/// read); report the failure and stop the node.
public struct Ready: Sendable {
    /// Set when the leader or role changed since the previous `Ready`.
    public var softState: SoftState?
    /// Set when term, vote or commit changed: persist it.
    public var hardState: HardState?
    /// Entries to append to stable storage (truncating any conflicting suffix).
    public var entries: [Entry] = []
    /// A snapshot received from the leader, to install.
    public var snapshot: Snapshot?
    /// Messages that may be sent immediately.
    public var messages: [Message] = []
    /// Messages that may be sent only once `entries`, `hardState` and `snapshot` are durable.
    public var messagesAfterPersist: [Message] = []
    /// Committed entries to apply to the state machine, in order.
    public var committedEntries: [Entry] = []
    /// Answers to ReadIndex requests.
    public var readStates: [ReadState] = []
    /// Set (once, and alone) when the node stopped because its storage failed a read: report
    /// it and stop the node; there is nothing to persist, send or apply.
    public var failure: RaftError?

    public init() {}

    /// Whether this batch asks the runtime for anything at all.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && entries.isEmpty && snapshot == nil && messages.isEmpty
            && messagesAfterPersist.isEmpty && committedEntries.isEmpty && readStates.isEmpty && failure == nil
    }

    /// Whether the runtime must write to stable storage for this batch.
    public var needsPersistence: Bool { hardState != nil || !entries.isEmpty || snapshot != nil }

    /// How many of `committedEntries`, from the first, are in stable storage already: those
    /// below the first of `entries` (every entry before it was persisted by an earlier `Ready`),
    /// none when a snapshot is to be installed. The runtime may hand these to the state machine
    /// before persisting this batch (steps 2-3), so that applying them does not wait for a write
    /// of later entries, as etcd's server applies in parallel with its WAL write: the applied
    /// index it stores with their effects never passes the durable log. The others (entries this
    /// batch persists, as when a follower learns an entry and its commit in one append) are
    /// applied only after the write.
    public var durableCommittedCount: Int {
        if snapshot != nil { return 0 }
        guard let firstUnpersisted = entries.first?.index else { return committedEntries.count }
        return committedEntries.prefix { $0.index < firstUnpersisted }.count
    }
}
