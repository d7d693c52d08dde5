/// A map with a bound on its count that forgets the least recently used entry first. Slots
/// live in one array linked by indices (no per-entry allocation once warm).
public struct LRUCache<Key: Hashable, Value> {
    private struct Slot {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    public let capacity: Int
    private var slots: [Slot] = []
    private var index: [Key: Int] = [:]
    private var newest = -1
    private var oldest = -1

    public init(capacity: Int) {
        precondition(capacity > 0, "an LRU cache needs room for one entry")
        self.capacity = capacity
    }

    public var count: Int { index.count }

    public mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        touch(slot)
        return slots[slot].value
    }

    public mutating func set(_ value: Value, for key: Key) {
        if let slot = index[key] {
            slots[slot].value = value
            touch(slot)
            return
        }
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = Slot(key: key, value: value, newer: -1, older: -1)
        } else if slots.count < capacity {
            slot = slots.count
            slots.append(Slot(key: key, value: value, newer: -1, older: -1))
        } else {
            slot = oldest
            unlink(slot)
            index[slots[slot].key] = nil
            slots[slot] = Slot(key: key, value: value, newer: -1, older: -1)
        }
        index[key] = slot
        linkAsNewest(slot)
    }

    public mutating func remove(_ key: Key) {
        guard let slot = index[key] else { return }
        unlink(slot)
        index[key] = nil
        free.append(slot)
    }

    /// Slots unlinked by `remove`, reused before the array grows or the oldest is evicted.
    private var free: [Int] = []

    public mutating func removeAll() {
        slots = []
        index = [:]
        newest = -1
        oldest = -1
        free = []
    }

    private mutating func touch(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot].newer
        let older = slots[slot].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
