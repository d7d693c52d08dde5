import Raft

/// A Raft log in preallocated segment files (docs/storage.md, "The Raft log in segment files"):
/// the entries and hard state behind `RaftLogStore` since storage format 2.
///
/// - Durability: `append`, `setHardState`, `compact` and `reset` each write their records with one
///   positional write at the tail of the last segment and one `fdatasync` before they return.
///   Segments are made zero-filled to their full size before they are needed (`prepareSpare`), so
///   the sync flushes data only: no size change, no extent conversion, no journal commit.
/// - Atomicity: the records of one call form one write whose last record is flagged; recovery
///   drops a write torn by a crash as a whole (`SegmentLogRecovery`).
/// - No file ever shrinks: an entry at index k replaces every entry from k on (on disk it is
///   the replay rule, in memory the index of locations); compaction deletes whole segments.
/// - Refusals are `RaftLogStorageRules`' (the same `RaftStorageError`s as `RaftLogStore`), checked
///   before anything is written. Corruption, or a failed write or sync, is latched: every later
///   call throws it (after a failed fsync the page cache may hold what the disk does not).
/// - Thread safety: one lock around the state, held across the disk calls, as `RaftLogStore`;
///   synced writes block the caller (the Raft thread). `prepareSpare` makes the next segment
///   without the lock, from the owner's background thread.
public final class SegmentLog: Sendable {
    public let directory: String
    private let fileSystem: any SegmentFileSystem
    private let spares: SpareSegments
    private let state: Locked<SegmentLogState>

    public convenience init(directory: String, options: SegmentLogOptions = SegmentLogOptions()) throws {
        try self.init(directory: directory, options: options, fileSystem: PosixSegmentFileSystem())
    }

    /// Opens (or creates) the log in `directory`, verifying every record (`SegmentLogRecovery`).
    init(directory: String, options: SegmentLogOptions, fileSystem: any SegmentFileSystem) throws {
        let options = try options.validated()
        var recovered = try SegmentLogRecovery.recover(directory: directory, fileSystem: fileSystem)
        self.directory = directory
        self.fileSystem = fileSystem
        let spares = SpareSegments(
            directory: directory, fileSystem: fileSystem, segmentBytes: options.segmentBytes,
            fillPieceBytes: options.fillPieceBytes, nextSequence: recovered.nextSequence, ready: recovered.spare)
        self.spares = spares
        if recovered.state.segments.isEmpty {
            do {
                try Self.write([], in: &recovered.state, spares: spares)
            } catch {
                spares.close()
                throw error
            }
        }
        state = Locked(recovered.state)
    }

    // MARK: read side

    public func hardState() throws -> HardState {
        try withState { $0.hardState }
    }

    public func firstIndex() throws -> UInt64 {
        try withState { $0.firstIndex }
    }

    public func lastIndex() throws -> UInt64 {
        try withState { $0.lastIndex }
    }

    /// The compaction point: the index and term of the entry before the first.
    public func compactionPoint() throws -> (index: UInt64, term: UInt64) {
        try withState { ($0.snapshotIndex, $0.snapshotTerm) }
    }

    public func term(at index: UInt64) throws -> UInt64 {
        try withState { state in
            guard index >= state.snapshotIndex else { throw RaftStorageError.compacted }
            guard index <= state.lastIndex else { throw RaftStorageError.unavailable }
            guard let term = state.term(at: index) else {
                throw StorageError.inconsistentLog("no term known for entry \(index)")
            }
            return term
        }
    }

    /// Entries `low..<high`, at least one, then as many as fit in `maxBytes` of data.
    public func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry] {
        try withState { state in
            guard low >= state.firstIndex else { throw RaftStorageError.compacted }
            guard high <= state.lastIndex + 1, low <= high else { throw RaftStorageError.unavailable }
            var end = low
            var bytes = 0
            while end < high, let location = state.location(of: end) {
                bytes += location.dataBytes
                if end > low, bytes > maxBytes { break }
                end += 1
            }
            return try SegmentReader.read(low..<end, in: state)
        }
    }

    // MARK: write side

    /// Appends entries and the hard state with one write and one sync. Entries at or before the
    /// compaction point are skipped; an entry at or before the last index replaces the suffix
    /// from it on. The checks of `RaftLogStorageRules` come first: a refusal writes nothing.
    public func append(_ entries: [Entry], hardState: HardState? = nil) throws {
        try withState { state in
            try RaftLogStorageRules.checkBatch(entries)
            let fresh = entries.drop { $0.index <= state.snapshotIndex }
            try RaftLogStorageRules.checkAppend(fresh, lastIndex: state.lastIndex, commit: state.hardState.commit) {
                guard let term = state.term(at: $0) else {
                    throw StorageError.inconsistentLog("no term known for entry \($0)")
                }
                return term
            }
            if let hardState {
                try RaftLogStorageRules.checkHardState(hardState, lastIndex: fresh.last?.index ?? state.lastIndex)
            }
            var records: [SegmentRecord] = []
            records.reserveCapacity(fresh.count + 1)
            for entry in fresh {
                let payload = SegmentRecord.entryPrefixBytes + entry.data.count
                guard payload <= SegmentRecord.maxPayloadBytes else {
                    throw StorageError.tooLarge(
                        what: "entry \(entry.index)", size: payload, limit: SegmentRecord.maxPayloadBytes)
                }
                records.append(.entry(index: entry.index, term: entry.term, kind: entry.kind, data: entry.data[...]))
            }
            if let hardState { records.append(.hardState(hardState)) }
            guard !records.isEmpty else { return }
            try Self.write(records, in: &state, spares: spares)
        }
    }

    public func setHardState(_ hardState: HardState) throws {
        try append([], hardState: hardState)
    }

    /// Forgets entries up to and including `index`. Segments whose entries are all forgotten are
    /// deleted by the next `prepareSpare` (a crash before that only leaves them to be skipped).
    public func compact(upTo index: UInt64) throws {
        try withState { state in
            try RaftLogStorageRules.checkCompaction(
                upTo: index, snapshotIndex: state.snapshotIndex, lastIndex: state.lastIndex, applied: .max)
            guard let term = state.term(at: index) else {
                throw StorageError.inconsistentLog("no term known for entry \(index)")
            }
            try Self.write([.compaction(index: index, term: term)], in: &state, spares: spares)
            state.collectDeadSegments()
        }
    }

    /// Restarts the log empty after `index`, whose term is `term` (a snapshot installed there);
    /// the commit index becomes at least `index`, and the hard state is `hardState` when given
    /// (its commit raised likewise). One write: a crash leaves either the old log or the new one.
    public func reset(toIndex index: UInt64, term: UInt64, hardState: HardState? = nil) throws {
        try RaftLogStorageRules.checkIndex(index)
        try withState { state in
            guard index >= state.snapshotIndex else {
                throw RaftStorageError.snapshotOutOfDate(current: state.snapshotIndex, offered: index)
            }
            var records: [SegmentRecord] = [.reset(index: index, term: term)]
            var next = hardState ?? state.hardState
            next.commit = max(next.commit, index)
            if next != state.hardState {
                records.append(.hardState(next))
            }
            try Self.write(records, in: &state, spares: spares)
            state.collectDeadSegments()
        }
    }

    /// Deletes the segments compaction left behind, then makes the next segment file if none is
    /// ready. For the owner's background thread: appends go on meanwhile (an append that needs
    /// the spare before it is ready waits for it, or makes it when none is being made).
    public func prepareSpare() throws {
        let dead = try withState { state in
            defer { state.deadSegments.removeAll() }
            return state.deadSegments
        }
        for segment in dead {
            segment.file.close()
            try fileSystem.removeFile(spares.path(of: segment.sequence))
            // One at a time, oldest first: a crash leaves a prefix of them, which reopening skips.
            try fileSystem.syncDirectory(directory)
        }
        try spares.prepare()
    }

    /// Closes the files; every later call throws `StorageError.closed`.
    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            for segment in state.segments + state.deadSegments { segment.file.close() }
        }
        spares.close()
    }

    deinit { close() }

    // MARK: helpers

    /// Runs `body` under the lock unless the log is closed or failed; latches what fails.
    private func withState<Result>(_ body: (inout SegmentLogState) throws -> Result) throws -> Result {
        try state.withLock { state in
            if state.closed { throw StorageError.closed }
            if let failure = state.failure { throw failure }
            do {
                return try body(&state)
            } catch let error as StorageError {
                if case .tooLarge = error {} else { state.failure = error }
                throw error
            }
        }
    }

    /// Writes `records` as one write at the tail (in a new segment, after its start record, when
    /// they do not fit) and syncs it, then applies them to `state`. No records: starts the first
    /// segment.
    private static func write(_ records: [SegmentRecord], in state: inout SegmentLogState, spares: SpareSegments)
        throws
    {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(records.reduce(0) { $0 + $1.encodedBytesBound })
        var offsets: [Int] = []
        offsets.reserveCapacity(records.count)
        for (position, record) in records.enumerated() {
            offsets.append(buffer.count)
            record.encode(into: &buffer, endsWrite: position == records.count - 1)
        }
        if let tail = state.segments.last, state.tailOffset + buffer.count <= tail.capacity {
            try tail.file.write(buffer, at: state.tailOffset)
            try tail.file.syncData()
            for (record, offset) in zip(records, offsets) {
                try state.apply(record, sequence: tail.sequence, offset: state.tailOffset + offset)
            }
            state.tailOffset += buffer.count
            return
        }
        var start = state.currentStart
        let startBytes = SegmentRecord.size(payloadBytes: SegmentRecord.startPayloadBytes)
        let spare = try spares.take(minimumBytes: startBytes + buffer.count)
        start.sequence = spare.sequence
        var rolled: [UInt8] = []
        rolled.reserveCapacity(startBytes + buffer.count)
        SegmentRecord.start(start).encode(into: &rolled, endsWrite: records.isEmpty)
        rolled.append(contentsOf: buffer)
        try spare.file.write(rolled, at: 0)
        try spare.file.syncData()
        try state.apply(.start(start), sequence: spare.sequence, offset: 0)
        state.segments.append(
            OpenSegment(sequence: spare.sequence, file: spare.file, capacity: spare.capacity, start: start))
        for (record, offset) in zip(records, offsets) {
            try state.apply(record, sequence: spare.sequence, offset: startBytes + offset)
        }
        state.tailOffset = rolled.count
    }
}
