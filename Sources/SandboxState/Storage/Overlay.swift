/// Reads through the writes of the entries applied so far in this batch (and of the entry being
/// applied) to the store, so entry i+1 sees entry i's effects before they are committed. An
/// entry's writes join the batch only when the entry succeeds (`keep`); a refused entry's
/// writes are dropped (`discard`), so it changes nothing.
///
/// It also remembers the stored value of every key it read from the store (`original`), so the
/// digest's update at commit need not read them again; a key written with `insert` is known not
/// to be stored. A stored value the caller tells it (`insert`, `noteStored`, `delete(_:stored:)`)
/// is trusted by later reads too, not only by the digest: it must equal the store's, or replicas
/// with warm and cold caches would read different values. Debug builds check every such claim
/// against the store (`checkClaim`), so the model, sweep and determinism tests check them all.
///
/// One table holds a slot per key the batch touched, with the key's stored value (when known),
/// the batch's write and the entry's write: a read or write looks the key up once. Before, three
/// tables (stored values, batch, entry) were looked up in turn and the entry's table was merged
/// into the batch's at every entry (about 45 dictionary look-ups per decide).
struct Overlay {
    let storage: any StateStorage
    private var index: [StateWrites.Key: Int] = [:]
    private var slots: [Slot] = []
    /// The slots the entry being applied wrote.
    private var entrySlots: [Int] = []

    private struct Slot {
        let key: StateWrites.Key
        /// The value in the store before this batch: nil unknown, `.some(nil)` absent.
        var original: [UInt8]??
        /// The last write of the entries kept so far: nil none, `.some(nil)` a deletion.
        var batch: [UInt8]??
        /// The last write of the entry being applied.
        var entry: [UInt8]??

        /// The value as the overlay sees it, when a write or the stored value is known.
        var known: [UInt8]?? { entry ?? batch ?? original }
        var written: [UInt8]?? { entry ?? batch }
    }

    /// Keys one entry usually writes (a decide: about ten).
    static let entryCapacity = 16

    init(storage: any StateStorage) { self.storage = storage }

    /// An overlay for a batch of `entries` entries: its table sized once for what a decide
    /// writes and reads (growing it rehashed every key several times per batch).
    init(storage: any StateStorage, entries: Int) {
        self.storage = storage
        let keys = Self.entryCapacity / 2 * entries + Self.entryCapacity
        index.reserveCapacity(keys)
        slots.reserveCapacity(keys)
        entrySlots.reserveCapacity(Self.entryCapacity)
    }

    /// The key's slot, made on first use (one look-up either way).
    private mutating func slot(_ key: StateWrites.Key) -> Int {
        let next = slots.count
        let found = Self.value(&index[key, default: next])
        if found == next { slots.append(Slot(key: key, original: nil, batch: nil, entry: nil)) }
        return found
    }

    private static func value(_ stored: inout Int) -> Int { stored }

    private mutating func write(_ slot: Int, _ value: [UInt8]?) {
        if slots[slot].entry == nil { entrySlots.append(slot) }
        slots[slot].entry = .some(value)
    }

    mutating func get(_ key: [UInt8]) throws -> [UInt8]? {
        let i = slot(StateWrites.Key(bytes: key))
        if let known = slots[i].known { return known }
        let value = try storage.value(for: key)
        slots[i].original = .some(value)
        return value
    }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) { write(slot(StateWrites.Key(bytes: key)), value) }
    mutating func delete(_ key: [UInt8]) { write(slot(StateWrites.Key(bytes: key)), nil) }

    /// Writes a key that is not in the store (a new audit record, a new index entry).
    mutating func insert(_ key: [UInt8], _ value: [UInt8]) {
        let i = slot(StateWrites.Key(bytes: key))
        if slots[i].original == nil, slots[i].batch == nil {
            checkClaim(key, nil)
            slots[i].original = .some(nil)
        }
        write(i, value)
    }

    /// Tells the overlay a key's stored value, known from a cache of the store, before the key
    /// is written (ignored once the batch wrote the key: the cache may then hold the new value).
    mutating func noteStored(_ key: [UInt8], _ value: [UInt8]?) {
        let i = slot(StateWrites.Key(bytes: key))
        guard slots[i].known == nil else { return }
        checkClaim(key, value)
        slots[i].original = .some(value)
    }

    /// Deletes a key whose stored value the caller knows (``noteStored(_:_:)`` then ``delete(_:)``,
    /// the key hashed once: the window's sweep deletes three keys per forgotten request id).
    mutating func delete(_ key: [UInt8], stored value: [UInt8]?) {
        let i = slot(StateWrites.Key(bytes: key))
        if slots[i].known == nil {
            checkClaim(key, value)
            slots[i].original = .some(value)
        }
        write(i, nil)
    }

    /// Debug builds: a stored value a caller claims is the store's (a wrong claim would make a
    /// replica read what another does not). Release builds trust it.
    private func checkClaim(_ key: [UInt8], _ value: [UInt8]?) {
        #if DEBUG
            let stored = try? storage.value(for: key)
            precondition(stored == value, "Overlay: a claimed stored value differs from the store's")
        #endif
    }

    /// The keys written by the entry being applied.
    var entryKeys: [[UInt8]] { entrySlots.map { slots[$0].key.bytes } }

    mutating func keep() {
        for i in entrySlots {
            slots[i].batch = slots[i].entry
            slots[i].entry = nil
        }
        entrySlots.removeAll(keepingCapacity: true)
    }

    mutating func discard() {
        for i in entrySlots { slots[i].entry = nil }
        entrySlots.removeAll(keepingCapacity: true)
    }

    /// Every key the kept entries wrote, with its value in the store before this batch (read
    /// now when it was not read or known before) and its new value (nil: deleted). Walks the
    /// slots in place: copying each slot (four references) cost a retain and a release apiece.
    func forEachChange(_ body: (_ key: [UInt8], _ old: [UInt8]?, _ new: [UInt8]?) throws -> Void) throws {
        try slots.withUnsafeBufferPointer { slots in
            for i in slots.indices {
                guard let new = slots[i].batch else { continue }
                if let original = slots[i].original {
                    try body(slots[i].key.bytes, original, new)
                } else {
                    try body(slots[i].key.bytes, try storage.value(for: slots[i].key.bytes), new)
                }
            }
        }
    }

    /// The kept entries' writes, for the store: in key order, made straight from the slots (each
    /// key has one), with no table built and no second sort in the store's adapter.
    var batch: StateWrites {
        var written: [Int] = []
        written.reserveCapacity(slots.count)
        for i in slots.indices where slots[i].batch != nil { written.append(i) }
        let order = StateWrites.keyOrder(count: written.count) { slots[written[$0]].key.bytes }
        var ordered: [(key: [UInt8], value: [UInt8]?)] = []
        ordered.reserveCapacity(order.count)
        for position in order {
            let slot = written[position]
            ordered.append((slots[slot].key.bytes, slots[slot].batch!))
        }
        return StateWrites(ordered: ordered)
    }

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
        for slot in slots {
            guard let value = slot.written, Self.starts(slot.key.bytes, with: prefix) else { continue }
            if let startAfter, !StateWrites.precedes(startAfter, slot.key.bytes) { continue }
            pending.append((slot.key.bytes, value))
        }
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
