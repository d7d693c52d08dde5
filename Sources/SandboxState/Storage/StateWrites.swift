/// The effects of applied entries: the last write of each key.
public struct StateWrites: Sendable {
    /// A key of the write table, hashed by a fold of its bytes computed once when it is made.
    /// The standard `[UInt8]` hashing fed the hasher a byte at a time, and SipHash over the
    /// whole key on every lookup and every table resize was still 6% of a decide's apply; the
    /// hasher now mixes one word. The fold is not keyed, so a client choosing request ids could
    /// make keys of one batch collide: that costs comparisons within one batch's table (a few
    /// hundred keys), never a wrong result.
    struct Key: Hashable, Sendable {
        let bytes: [UInt8]
        private let fold: UInt64

        init(bytes: [UInt8]) {
            self.bytes = bytes
            fold = Self.fold(bytes)
        }

        static func == (lhs: Key, rhs: Key) -> Bool { lhs.fold == rhs.fold && lhs.bytes == rhs.bytes }

        func hash(into hasher: inout Hasher) { hasher.combine(fold) }

        /// Eight bytes at a time, multiply-xorshift (the tail with its length).
        private static func fold(_ bytes: [UInt8]) -> UInt64 {
            bytes.withUnsafeBytes { raw in
                var state: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(raw.count)
                var offset = 0
                while raw.count - offset >= 8 {
                    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    state = (state ^ word) &* 0xff51_afd7_ed55_8ccd
                    state ^= state >> 29
                    offset += 8
                }
                var tail: UInt64 = 1
                while offset < raw.count {
                    tail = tail << 8 | UInt64(raw[offset])
                    offset += 1
                }
                state = (state ^ tail) &* 0xc4ce_b9fe_1a85_ec53
                return state ^ state >> 32
            }
        }
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
