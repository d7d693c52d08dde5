/// Reads through the writes of the entries applied so far in this batch (and of the entry being
/// applied) to the store, so entry i+1 sees entry i's effects before they are committed. An
/// entry's writes join the batch only when the entry succeeds (`keep`); a refused entry's
/// writes are dropped (`discard`), so it changes nothing.
///
/// It also remembers the stored value of every key it read from the store (`original`), so the
/// digest's update at commit need not read them again; a key written with `insert` is known not
/// to be stored.
struct Overlay {
    let storage: any StateStorage
    private(set) var batch = StateWrites()
    private var entry = StateWrites(minimumCapacity: Self.entryCapacity)
    /// Stored values (nil: absent) of keys read from the store or inserted, before this batch.
    private var originals: [StateWrites.Key: [UInt8]?] = [:]

    /// Keys one entry usually writes (a decide: about ten), so its table does not grow each time.
    static let entryCapacity = 16

    init(storage: any StateStorage) { self.storage = storage }

    /// An overlay for a batch of `entries` entries: its tables sized once for what a decide
    /// writes and reads (growing them rehashed every key several times per batch).
    init(storage: any StateStorage, entries: Int) {
        self.storage = storage
        let keys = Self.entryCapacity / 2 * entries + Self.entryCapacity
        batch.reserveCapacity(keys)
        originals.reserveCapacity(keys)
    }

    mutating func get(_ key: [UInt8]) throws -> [UInt8]? {
        let wrapped = StateWrites.Key(bytes: key)
        if let pending = entry.lookup(wrapped) { return pending }
        if let pending = batch.lookup(wrapped) { return pending }
        let value = try storage.value(for: key)
        originals[wrapped] = .some(value)
        return value
    }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) { entry.put(key, value) }
    mutating func delete(_ key: [UInt8]) { entry.delete(key) }

    /// Writes a key that is not in the store (a new audit record, a new index entry).
    mutating func insert(_ key: [UInt8], _ value: [UInt8]) {
        let wrapped = StateWrites.Key(bytes: key)
        if originals[wrapped] == nil, batch.lookup(wrapped) == nil { originals[wrapped] = .some(nil) }
        entry.put(wrapped, value)
    }

    /// Tells the overlay a key's stored value, known from a cache of the store, before the key
    /// is written (ignored once the batch wrote the key: the cache may then hold the new value).
    mutating func noteStored(_ key: [UInt8], _ value: [UInt8]?) {
        let wrapped = StateWrites.Key(bytes: key)
        guard originals[wrapped] == nil, batch.lookup(wrapped) == nil, entry.lookup(wrapped) == nil else { return }
        originals[wrapped] = .some(value)
    }

    /// The key's value in the store before this batch (read now if it was not read before).
    func original(_ key: [UInt8]) throws -> [UInt8]? { try original(StateWrites.Key(bytes: key)) }

    func original(_ key: StateWrites.Key) throws -> [UInt8]? {
        if let known = originals[key] { return known }
        return try storage.value(for: key.bytes)
    }

    /// The keys written by the entry being applied.
    var entryWrites: StateWrites { entry }

    mutating func keep() {
        batch.merge(entry)
        entry.removeAll()
    }

    mutating func discard() { entry.removeAll() }

    /// The first `limit` pairs under `prefix` as the overlay sees them.
    /// Strictly after `startAfter` when given: a sweep that deleted keys at the front of a range
    /// starts after them, rather than stepping over their tombstones again on every entry.
    func scan(prefix: [UInt8], after startAfter: [UInt8]? = nil, limit: Int) throws -> [(
        key: [UInt8], value: [UInt8]
    )] {
        var pending: [[UInt8]: [UInt8]?] = [:]
        for writes in [batch, entry] {
            for (wrapped, value) in writes.entries where wrapped.bytes.starts(with: prefix) {
                if let startAfter, !startAfter.lexicographicallyPrecedes(wrapped.bytes) { continue }
                pending[wrapped.bytes] = value
            }
        }
        let deletions = pending.values.filter { $0 == nil }.count
        let stored = try storage.scan(prefix: prefix, after: startAfter, limit: limit + deletions)
        let exhausted = stored.count < limit + deletions
        var merged: [[UInt8]: [UInt8]] = [:]
        for pair in stored { merged[pair.key] = pair.value }
        let bound = stored.last?.key
        for (key, value) in pending {
            if let value {
                if exhausted || bound.map({ !$0.lexicographicallyPrecedes(key) }) ?? true { merged[key] = value }
            } else {
                merged[key] = nil
            }
        }
        return merged.sorted { $0.key.lexicographicallyPrecedes($1.key) }.prefix(limit).map { ($0.key, $0.value) }
    }
}
