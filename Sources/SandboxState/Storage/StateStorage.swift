/// How the state machine reads its keys: a point lookup and an ordered prefix scan. The
/// in-memory ``MemoryStateStorage`` (tests, the model test) and the RocksDB adapter in
/// `SandboxStateStore` implement it; queries run over any reader.
public protocol StateReading {
    func value(for key: [UInt8]) throws -> [UInt8]?
    /// Up to `limit` pairs whose key starts with `prefix`, in key order, strictly after
    /// `startAfter` when given.
    func scan(prefix: [UInt8], after startAfter: [UInt8]?, limit: Int) throws -> [(key: [UInt8], value: [UInt8])]
}

/// A reader that also stores the effects of applied entries together with the applied index,
/// in one atomic write (``StateMachine/apply(_:)`` calls ``commit(_:appliedIndex:)`` once per
/// batch of entries).
public protocol StateStorage: StateReading {
    /// The index of the last entry whose effects are stored (0 for an empty state).
    func appliedIndex() throws -> UInt64
    func commit(_ writes: StateWrites, appliedIndex: UInt64) throws
}

/// Storage failed under the state machine: not the entry's fault; the runtime stops the node.
public struct StateStorageError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
