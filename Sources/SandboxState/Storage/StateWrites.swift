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

    /// The writes made one at a time (`put`, `delete`): nil deletes the key.
    private var table: [Key: [UInt8]?] = [:]
    /// The writes when they came already in key order, no key twice (the state machine's
    /// commit, ``init(ordered:)``): handed to the store as they are, with no table built and no
    /// sort. A later `put` or `delete` moves them into `table` first.
    private var ordered: [(key: [UInt8], value: [UInt8]?)]?

    public init() {}

    /// Room for `minimumCapacity` keys before the table grows.
    init(minimumCapacity: Int) { table.reserveCapacity(minimumCapacity) }

    /// Writes already in key order (``precedes(_:_:)``), each key once.
    init(ordered: [(key: [UInt8], value: [UInt8]?)]) {
        #if DEBUG
            for i in ordered.indices.dropFirst() {
                precondition(Self.precedes(ordered[i - 1].key, ordered[i].key), "StateWrites: keys out of order")
            }
        #endif
        self.ordered = ordered
    }

    public var isEmpty: Bool { ordered?.isEmpty ?? table.isEmpty }
    public var count: Int { ordered?.count ?? table.count }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        makeTable()
        table[Key(bytes: key)] = .some(value)
    }

    public mutating func delete(_ key: [UInt8]) {
        makeTable()
        table[Key(bytes: key)] = .some(nil)
    }

    private mutating func makeTable() {
        guard let ordered else { return }
        self.ordered = nil
        table.reserveCapacity(ordered.count)
        for (key, value) in ordered { table[Key(bytes: key)] = .some(value) }
    }

    /// Every change: the key and its new value (nil: deleted), in no particular order.
    public var changes: [(key: [UInt8], value: [UInt8]?)] { ordered ?? table.map { ($0.key.bytes, $0.value) } }

    /// The keys written.
    public var keys: [[UInt8]] { ordered?.map(\.key) ?? table.keys.map(\.bytes) }

    /// The changes in key order (a deterministic order for stores that care).
    public var sorted: [(key: [UInt8], value: [UInt8]?)] {
        if let ordered { return ordered }
        let pairs = Array(table)
        return Self.keyOrder(count: pairs.count) { pairs[$0].key.bytes }.map { (pairs[$0].key.bytes, pairs[$0].value) }
    }

    /// The positions `0..<count` of `count` keys, in the keys' byte order. Sorted as plain values
    /// (the first 16 bytes as two big-endian words, and the position), so the sort moves no
    /// references; keys equal in their first 16 bytes are compared in full.
    static func keyOrder(count: Int, key: (Int) -> [UInt8]) -> [Int] {
        var order: [(head: UInt64, next: UInt64, index: Int)] = []
        order.reserveCapacity(count)
        for index in 0..<count {
            let words = key(index).withUnsafeBufferPointer { bytes in
                var head: UInt64 = 0
                var next: UInt64 = 0
                for i in 0..<8 { head = head << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
                for i in 8..<16 { next = next << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
                return (head, next)
            }
            order.append((words.0, words.1, index))
        }
        order.sort { lhs, rhs in
            if lhs.head != rhs.head { return lhs.head < rhs.head }
            if lhs.next != rhs.next { return lhs.next < rhs.next }
            return Self.precedes(key(lhs.index), key(rhs.index))
        }
        return order.map(\.index)
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
