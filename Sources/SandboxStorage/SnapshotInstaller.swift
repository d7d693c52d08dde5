import Raft

/// Installs a snapshot received from another node (made by `StateStore.beginInstall`).
///
/// Chunks go into the inactive state family, unlogged (no WAL: they are flushed to SST files
/// before the switch). `finish()` flushes them (`prepare()`), then switches with one synced write
/// (`commit()`); until that
/// write the old state is the state, and a crash leaves it intact (leftovers are cleared when
/// the store opens). Abandoning an installer (deinit or `abort()`) clears what it wrote.
/// Not Sendable: feed it from one thread.
public final class SnapshotInstaller {
    public let metadata: SnapshotMetadata
    private let store: StateStore
    private let target: ColumnFamily
    private var nextSequence: UInt32 = 0
    private var receivedLast = false
    private var prepared = false
    private var done = false

    init(store: StateStore, metadata: SnapshotMetadata, target: ColumnFamily) {
        self.store = store
        self.metadata = metadata
        self.target = target
    }

    deinit { abort() }

    /// Verifies and stores one chunk; chunks must come in order.
    public func add(_ chunk: SnapshotChunk) throws {
        guard !done else { throw StorageError.installNotReady("the installation was finished or abandoned") }
        guard !receivedLast else {
            throw StorageError.invalidSnapshotChunk("chunk \(chunk.sequence) after the last one")
        }
        guard chunk.snapshotIndex == metadata.index, chunk.snapshotTerm == metadata.term else {
            throw StorageError.invalidSnapshotChunk(
                "chunk of snapshot \(chunk.snapshotIndex)/\(chunk.snapshotTerm) while installing "
                    + "\(metadata.index)/\(metadata.term)")
        }
        guard chunk.sequence == nextSequence else {
            throw StorageError.invalidSnapshotChunk("chunk \(chunk.sequence) out of order, expected \(nextSequence)")
        }
        let batch = WriteBatch(for: store.database)
        try batch.withFamily(target) { writer in
            try chunk.forEachRecord { key, value in
                key.withUnsafeBytes { key in
                    value.withUnsafeBytes { writer.put(prefix: StorageKeys.userPrefix, key: key, value: $0) }
                }
            }
        }
        try store.database.write(batch, durability: .unlogged)
        nextSequence += 1
        receivedLast = chunk.isLast
    }

    /// Decodes the wire form and adds it.
    public func add(encoded bytes: [UInt8]) throws {
        try add(SnapshotChunk(decoding: bytes))
    }

    /// Makes the snapshot the node's state, atomically: afterwards `appliedIndex()` is the
    /// snapshot's index, the state holds exactly the snapshot's keys, and the log starts after it.
    /// `prepare()` then `commit()`.
    public func finish() throws {
        try prepare()
        try commit()
    }

    /// Writes the received chunks to SST files and waits for it (seconds for a large state):
    /// the slow half of `finish()`, which a runtime runs off its loop thread. Nothing is visible
    /// yet; a failure abandons the installation.
    public func prepare() throws {
        guard !done else { throw StorageError.installNotReady("the installation was finished or abandoned") }
        guard receivedLast else {
            throw StorageError.installNotReady("the last chunk has not arrived (got \(nextSequence) chunks)")
        }
        guard !prepared else { return }
        do {
            try store.database.flush(target)
            prepared = true
        } catch {
            abort()
            throw error
        }
    }

    /// The switch, after `prepare()`: one synced write (milliseconds) makes the snapshot the
    /// node's state and moves the log past it.
    public func commit() throws {
        guard !done else { throw StorageError.installNotReady("the installation was finished or abandoned") }
        guard prepared else { throw StorageError.installNotReady("the snapshot was not prepared") }
        do {
            try store.commitInstall(metadata, into: target)
            done = true
        } catch {
            abort()
            throw error
        }
    }

    /// Abandons the installation and clears what it wrote. Idempotent.
    public func abort() {
        guard !done else { return }
        done = true
        // Best effort: if the database is closed or failing, the next open clears the family.
        try? store.clear(target, compact: false)
        store.endInstall()
    }
}
