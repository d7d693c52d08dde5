import CRocksDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C objects behind one cursor or read view. Released exactly once: by the owner when it
/// goes away, or by `Database.close()` if the database closes first.
final class NativeResource: @unchecked Sendable {
    // Why @unchecked Sendable is safe: the fields are used only with the owning database's lock
    // held — for reading by the one thread that owns the cursor or view (neither is Sendable),
    // for writing by Database.close(). release() clears each field, so it runs at most once.
    var iterator: OpaquePointer?
    var readOptions: OpaquePointer?
    var snapshot: OpaquePointer?
    /// malloc'ed copies of iterator bounds: RocksDB's read options point into them.
    var bounds: [UnsafeMutableRawPointer] = []
    /// Iterators (0) are released before snapshots (1).
    let releaseOrder: Int

    init(releaseOrder: Int) { self.releaseOrder = releaseOrder }

    /// Releases everything; `database` is needed only for a RocksDB snapshot (nil: none was taken).
    func release(database: OpaquePointer?) {
        if let iterator { rocksdb_iter_destroy(iterator) }
        iterator = nil
        if let readOptions { rocksdb_readoptions_destroy(readOptions) }
        readOptions = nil
        if let snapshot, let database { rocksdb_release_snapshot(database, snapshot) }
        snapshot = nil
        bounds.forEach { free($0) }
        bounds = []
    }

    /// Copies `bytes` into memory owned by this resource and returns a pointer to it.
    func keep(_ bytes: [UInt8]) -> UnsafePointer<CChar> {
        let memory = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memory.copyMemory(from: base, byteCount: raw.count) }
        }
        bounds.append(memory)
        return UnsafePointer(memory.assumingMemoryBound(to: CChar.self))
    }
}
