/// An in-memory `RaftLogStorage` for tests and the simulator. "Durable" means "written here":
/// the simulator keeps this object across a simulated crash and throws away everything else.
///
/// `entries[0]` is a placeholder standing for the snapshot point (its index and term), so
/// `firstIndex == entries[0].index + 1` always holds.
public final class MemoryLogStorage: RaftLogStorage {
    @exclusivity(unchecked) public private(set) var hardState = HardState()
    @exclusivity(unchecked) public private(set) var confState: ConfState
    @exclusivity(unchecked) private var latestSnapshot: Snapshot
    @exclusivity(unchecked) private var entries: [Entry]

    /// An empty log, for a node that joins an existing cluster: it learns the log and the
    /// membership from the leader (a snapshot first, since every log starts at a snapshot).
    public init() {
        confState = ConfState()
        latestSnapshot = Snapshot()
        entries = [Entry(term: 0, index: 0)]
    }

    /// The log of a founding member of a new cluster: the bootstrap snapshot at index 1, term 1,
    /// carrying the initial membership (and `data`, the initial state machine, if any), with
    /// that index committed. Nodes that join later receive this (or a later) snapshot, so they
    /// learn the membership without replaying it from entries.
    public convenience init(bootstrap conf: ConfState, data: [UInt8] = []) {
        self.init()
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 1, term: 1, conf: conf), data: data)
        latestSnapshot = snapshot
        entries = [Entry(term: 1, index: 1)]
        confState = conf
        hardState = HardState(term: 1, vote: 0, commit: 1)
    }

    private var offset: UInt64 { entries[0].index }

    public func initialState() throws -> (HardState, ConfState) { (hardState, confState) }

    public func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry] {
        if low <= offset { throw RaftStorageError.compacted }
        guard high <= lastIndexValue + 1, low <= high else { throw RaftStorageError.unavailable }
        var result: [Entry] = []
        var bytes = 0
        for position in Int(low - offset)..<Int(high - offset) {
            let entry = entries[position]
            if !result.isEmpty && bytes + entry.data.count > maxBytes { break }
            bytes += entry.data.count
            result.append(entry)
        }
        return result
    }

    public func term(at index: UInt64) throws -> UInt64 {
        if index < offset { throw RaftStorageError.compacted }
        guard index <= lastIndexValue else { throw RaftStorageError.unavailable }
        return entries[Int(index - offset)].term
    }

    public func firstIndex() throws -> UInt64 { offset + 1 }

    public func lastIndex() throws -> UInt64 { lastIndexValue }

    private var lastIndexValue: UInt64 { offset + UInt64(entries.count) - 1 }

    public func snapshot() throws -> Snapshot { latestSnapshot }

    public func append(_ newEntries: [Entry]) throws {
        guard let first = newEntries.first else { return }
        guard first.index <= lastIndexValue + 1 else { throw RaftStorageError.unavailable }
        // Drop what is already compacted, then truncate the conflicting suffix.
        let fresh = newEntries.drop { $0.index <= offset }
        guard let start = fresh.first?.index else { return }
        entries.removeSubrange(Int(start - offset)...)
        entries.append(contentsOf: fresh)
    }

    public func setHardState(_ state: HardState) throws {
        hardState = state
    }

    public func setConfState(_ conf: ConfState) throws {
        confState = conf
    }

    public func applySnapshot(_ snapshot: Snapshot) throws {
        let meta = snapshot.metadata
        guard meta.index > latestSnapshot.metadata.index else { throw RaftStorageError.compacted }
        latestSnapshot = snapshot
        entries = [Entry(term: meta.term, index: meta.index)]
        confState = meta.conf
        if hardState.commit < meta.index { hardState.commit = meta.index }
    }

    public func compact(upTo index: UInt64) throws {
        if index <= offset { throw RaftStorageError.compacted }
        guard index <= lastIndexValue else { throw RaftStorageError.unavailable }
        let term = entries[Int(index - offset)].term
        entries.removeFirst(Int(index - offset))
        entries[0] = Entry(term: term, index: index)
        if latestSnapshot.metadata.index != index {
            latestSnapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, conf: confState))
        }
    }

    /// Records the state machine's snapshot at `index` (which must be applied) with the
    /// membership as of that index, ready for `compact(upTo: index)`.
    public func createSnapshot(at index: UInt64, conf: ConfState, data: [UInt8]) throws {
        guard index > latestSnapshot.metadata.index else { throw RaftStorageError.compacted }
        guard index >= offset, index <= lastIndexValue else { throw RaftStorageError.unavailable }
        let term = entries[Int(index - offset)].term
        latestSnapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, conf: conf), data: data)
    }

    /// Number of entries held (for tests).
    public var entryCount: Int { entries.count - 1 }
}
