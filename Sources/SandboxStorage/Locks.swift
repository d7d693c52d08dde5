#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a mutex. The storage types keep their in-memory metadata in one of these
/// so that every read and update of it is serialised with the disk write it mirrors.
final class Locked<Value>: @unchecked Sendable {
    // Invariant: `value` is read and written only inside `withLock`, i.e. with `mutex` held;
    // `mutex` is allocated once in init and destroyed in deinit, when no thread can hold it.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// A readers-writer lock: many readers at once, or one writer. The database wrapper takes it
/// for reading around every call into RocksDB and for writing to close the handles.
final class ReadWriteLock: @unchecked Sendable {
    // Invariant: `lock` is allocated once in init and destroyed in deinit; pthread read-write
    // locks are made for concurrent use.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    /// `preferWriters`: a waiting writer goes before new readers, so a stream of reads cannot
    /// starve writes. Such a lock must never be taken for reading twice by one thread.
    init(preferWriters: Bool = false) {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        #if canImport(Glibc)
            if preferWriters {
                var attributes = pthread_rwlockattr_t()
                pthread_rwlockattr_init(&attributes)
                pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
                pthread_rwlock_init(lock, &attributes)
                pthread_rwlockattr_destroy(&attributes)
                return
            }
        #endif
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    func withReadLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func withWriteLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}

/// A value guarded by a readers-writer lock: many readers at once, or one writer. The state
/// store keeps its metadata in one so that reads of the state run in parallel.
final class SharedLocked<Value>: @unchecked Sendable {
    // Invariant: `value` is read only inside `withReadLock` (shared: nobody mutates it then)
    // and mutated only inside `withWriteLock` (exclusive).
    // Writers first: the state machine's writes must not wait behind a stream of reads. No
    // path takes this lock for reading twice on one thread.
    private let lock = ReadWriteLock(preferWriters: true)
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withReadLock<Result>(_ body: (Value) throws -> Result) rethrows -> Result {
        try lock.withReadLock { try body(value) }
    }

    func withWriteLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withWriteLock { try body(&value) }
    }
}
