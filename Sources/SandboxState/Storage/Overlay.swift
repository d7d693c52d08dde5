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

    /// Deletes a key whose stored value the caller knows (``noteStored(_:_:)`` then ``delete(_:)``,
    /// the key hashed once: the window's sweep deletes three keys per forgotten request id).
    mutating func delete(_ key: [UInt8], stored value: [UInt8]?) {
        let wrapped = StateWrites.Key(bytes: key)
        if originals[wrapped] == nil, batch.lookup(wrapped) == nil, entry.lookup(wrapped) == nil {
            originals[wrapped] = .some(value)
        }
        entry.delete(wrapped)
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
    ///
    /// The store's page and the batch's pending writes under the prefix (sorted, a few) are merged
    /// in one pass; before, both went through dictionaries and the result was sorted again (about
    /// 735,000 instructions per page of the window's sweep, 11,000 per decide from the second day).
    func scan(prefix: [UInt8], after startAfter: [UInt8]? = nil, limit: Int) throws -> [(
        key: [UInt8], value: [UInt8]
    )] {
        guard limit > 0 else { return [] }
        let pending = pendingWrites(prefix: prefix, after: startAfter)
        var deletions = 0
        for write in pending where write.value == nil { deletions += 1 }
        let stored = try storage.scan(prefix: prefix, after: startAfter, limit: limit + deletions)
        // A pending write after the page's last stored key is only known to come next when the
        // store has nothing more under the prefix.
        let exhausted = stored.count < limit + deletions
        var result: [(key: [UInt8], value: [UInt8])] = []
        result.reserveCapacity(min(limit, stored.count + pending.count))
        var s = 0
        var p = 0
        while result.count < limit {
            if p < pending.count, s == stored.count || !StateWrites.precedes(stored[s].key, pending[p].key) {
                let write = pending[p]
                if s < stored.count, stored[s].key == write.key { s += 1 }  // the pending write replaces it
                p += 1
                if s == stored.count, !exhausted, stored.last.map({ StateWrites.precedes($0.key, write.key) }) ?? true {
                    break  // beyond the page: stored keys may lie before it
                }
                if let value = write.value { result.append((write.key, value)) }
            } else if s < stored.count {
                result.append(stored[s])
                s += 1
            } else {
                break
            }
        }
        return result
    }

    /// This batch's writes (the entry's over the earlier entries') under `prefix`, strictly after
    /// `startAfter`, in key order; nil values are deletions.
    private func pendingWrites(prefix: [UInt8], after startAfter: [UInt8]?) -> [(key: [UInt8], value: [UInt8]?)] {
        var pending: [(key: [UInt8], value: [UInt8]?)] = []
        func collect(_ writes: StateWrites, skippingEntry: Bool) {
            for (wrapped, value) in writes.entries where Self.starts(wrapped.bytes, with: prefix) {
                if let startAfter, !StateWrites.precedes(startAfter, wrapped.bytes) { continue }
                if skippingEntry, entry.lookup(wrapped) != nil { continue }  // the entry's write wins
                pending.append((wrapped.bytes, value))
            }
        }
        collect(batch, skippingEntry: true)
        collect(entry, skippingEntry: false)
        if pending.count > 1 { pending.sort { StateWrites.precedes($0.key, $1.key) } }
        return pending
    }

    private static func starts(_ bytes: [UInt8], with prefix: [UInt8]) -> Bool {
        guard bytes.count >= prefix.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            prefix.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    if b[i] != p[i] { return false }
                    i += 1
                }
                return true
            }
        }
    }
}
