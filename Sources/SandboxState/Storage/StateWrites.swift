/// The effects of applied entries: the last write of each key.
public struct StateWrites: Sendable {
    /// A key hashed as one run of bytes (the standard `[UInt8]` hashing feeds the hasher a byte
    /// at a time, which showed in apply's profile).
    struct Key: Hashable, Sendable {
        var bytes: [UInt8]

        static func == (lhs: Key, rhs: Key) -> Bool { lhs.bytes == rhs.bytes }

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// nil deletes the key.
    private(set) var entries: [Key: [UInt8]?] = [:]

    public init() {}

    /// Room for `minimumCapacity` keys before the table grows.
    init(minimumCapacity: Int) { entries.reserveCapacity(minimumCapacity) }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) { entries[Key(bytes: key)] = .some(value) }
    public mutating func delete(_ key: [UInt8]) { entries[Key(bytes: key)] = .some(nil) }

    /// `.some(nil)`: deleted here; nil: not touched here.
    public func lookup(_ key: [UInt8]) -> [UInt8]?? { entries[Key(bytes: key)] }

    mutating func merge(_ other: StateWrites) {
        if entries.isEmpty {
            entries = other.entries
            return
        }
        for (key, value) in other.entries { entries[key] = value }
    }

    /// Every change: the key and its new value (nil: deleted), in no particular order.
    public var changes: [(key: [UInt8], value: [UInt8]?)] { entries.map { ($0.key.bytes, $0.value) } }

    /// The keys written.
    public var keys: [[UInt8]] { entries.keys.map(\.bytes) }

    /// The changes in key order (a deterministic order for stores that care).
    public var sorted: [(key: [UInt8], value: [UInt8]?)] {
        changes.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}
