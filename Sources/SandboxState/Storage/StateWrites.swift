/// The effects of applied entries: the last write of each key.
public struct StateWrites: Sendable {
    /// A key of the write table, hashed once when it is made: SipHash over the whole key (Swift's
    /// `Hasher`, seeded per process, so a client choosing request ids cannot make a batch's keys
    /// collide), kept in the key; the table's hasher then mixes one word per lookup and resize.
    /// Before, the standard `[UInt8]` hashing fed the hasher a byte at a time on every lookup and
    /// every resize (6% of a decide's apply). The hash orders nothing that is stored: the commit
    /// sorts the keys by their bytes.
    struct Key: Hashable, Sendable {
        let bytes: [UInt8]
        private let digest: Int

        init(bytes: [UInt8]) {
            self.bytes = bytes
            var hasher = Hasher()
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            digest = hasher.finalize()
        }

        static func == (lhs: Key, rhs: Key) -> Bool { lhs.digest == rhs.digest && lhs.bytes == rhs.bytes }

        func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    }

    /// nil deletes the key.
    private(set) var entries: [Key: [UInt8]?] = [:]

    public init() {}

    /// Room for `minimumCapacity` keys before the table grows.
    init(minimumCapacity: Int) { entries.reserveCapacity(minimumCapacity) }

    /// Makes room for `count` keys in all (a batch's table, sized once rather than grown).
    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) { entries[Key(bytes: key)] = .some(value) }
    public mutating func delete(_ key: [UInt8]) { entries[Key(bytes: key)] = .some(nil) }

    /// `.some(nil)`: deleted here; nil: not touched here.
    public func lookup(_ key: [UInt8]) -> [UInt8]?? { entries[Key(bytes: key)] }

    // The same with a key hashed once by the caller (the overlay looks a key up in two or three
    // tables per read or write; hashing it for each was 4% of a decide's apply).
    func lookup(_ key: Key) -> [UInt8]?? { entries[key] }
    mutating func put(_ key: Key, _ value: [UInt8]) { entries[key] = .some(value) }
    mutating func delete(_ key: Key) { entries[key] = .some(nil) }

    mutating func merge(_ other: StateWrites) {
        for (key, value) in other.entries { entries[key] = value }
    }

    /// Forgets every write, keeping the table's room.
    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    /// Every change: the key and its new value (nil: deleted), in no particular order.
    public var changes: [(key: [UInt8], value: [UInt8]?)] { entries.map { ($0.key.bytes, $0.value) } }

    /// The keys written.
    public var keys: [[UInt8]] { entries.keys.map(\.bytes) }

    /// The changes in key order (a deterministic order for stores that care).
    public var sorted: [(key: [UInt8], value: [UInt8]?)] {
        // Sorted as plain values (the first 16 bytes as two big-endian words, and the pair's
        // place), so the sort moves no references; keys equal in their first 16 bytes are
        // compared in full.
        let pairs = Array(entries)
        var order: [(head: UInt64, next: UInt64, index: Int)] = []
        order.reserveCapacity(pairs.count)
        for (index, pair) in pairs.enumerated() {
            let bytes = pair.key.bytes
            var head: UInt64 = 0
            var next: UInt64 = 0
            for i in 0..<8 { head = head << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
            for i in 8..<16 { next = next << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
            order.append((head, next, index))
        }
        order.sort { lhs, rhs in
            if lhs.head != rhs.head { return lhs.head < rhs.head }
            if lhs.next != rhs.next { return lhs.next < rhs.next }
            return Self.precedes(pairs[lhs.index].key.bytes, pairs[rhs.index].key.bytes)
        }
        return order.map { (pairs[$0.index].key.bytes, pairs[$0.index].value) }
    }

    /// Byte order (`lexicographicallyPrecedes`), compared through buffer pointers (the generic
    /// comparison cost a third of the commit's sort).
    static func precedes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.withUnsafeBufferPointer { a in
            rhs.withUnsafeBufferPointer { b in
                let common = min(a.count, b.count)
                var i = 0
                while i < common {
                    if a[i] != b[i] { return a[i] < b[i] }
                    i += 1
                }
                return a.count < b.count
            }
        }
    }
}
