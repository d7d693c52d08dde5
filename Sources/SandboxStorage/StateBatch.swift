/// The effects of applying one or more committed entries: written together with the new
/// applied index by `StateStore.apply(_:appliedIndex:)`, all or nothing.
public struct StateBatch: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    public private(set) var operations: [Operation] = []
    /// Key and value bytes in the batch.
    public private(set) var byteCount = 0

    public init() {}

    /// Makes room for `count` operations (a batch built at once, not grown as it goes).
    public mutating func reserveCapacity(_ count: Int) { operations.reserveCapacity(count) }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        operations.append(.put(key: key, value: value))
        byteCount += key.count + value.count
    }

    public mutating func delete(_ key: [UInt8]) {
        operations.append(.delete(key: key))
        byteCount += key.count
    }

    public var isEmpty: Bool { operations.isEmpty }
}
