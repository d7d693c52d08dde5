import Raft

/// What the driver applies committed entries to. Called from one thread at a time: the driver's
/// apply thread (`ApplyWorker`), or its loop thread while the apply thread is idle (a snapshot
/// install reloads it).
///
/// `SandboxState.StateMachine` is the production machine (through an adapter); the tests use a
/// tiny counter machine on the same `StateStore`.
public protocol ReplicatedStateMachine: AnyObject, SendableMetatype {
    /// What applying one entry answers (handed back to the proposer on the node that received it).
    associatedtype Result: Sendable

    /// The index of the last entry whose effects are stored (0 for an empty state).
    var appliedIndex: UInt64 { get }

    /// Applies committed normal entries in order (the leader's empty no-op entries included) and
    /// stores their effects with the last entry's index in one atomic write. Returns one result
    /// per entry, in order. Throws only when storage fails (the driver then stops the node).
    func apply(_ entries: [Entry]) throws -> [Result]

    /// `apply(_:)`, handing `computed` results that are final before their effects are stored
    /// (entry index and result; several calls, in order, each for some of the entries), so the
    /// driver answers the proposals waiting for them while the write goes on. A machine gives
    /// here only results whose effects nobody reads before the applied index moves past them:
    /// reads that must be current wait for that (ReadIndex), local reads do not. Every result
    /// given is also in the returned results. Default: none given early (`apply(_:)`).
    func apply(_ entries: [Entry], computed: ([(index: UInt64, result: Result)]) -> Void) throws -> [Result]

    /// Stores the membership produced by the configuration change entry at `index`, together
    /// with `index` as the applied index, in one atomic write.
    func applyMembership(_ conf: ConfState, at index: UInt64) throws

    /// The state under the machine was replaced by an installed snapshot: forget every cache.
    func reloadAfterSnapshot() throws

    /// The time stamp (milliseconds since the epoch) an entry's data carries, if its format has
    /// one. Default: none.
    static func timeStamp(of data: [UInt8]) -> UInt64?

    /// Writes `timeMillis` into a command's time stamp; false when the command has none. The
    /// leader calls it for every command it proposes (its own and those forwarded to it), so
    /// that entry time is the leader's and never goes back along the log. Default: none.
    static func stamp(_ command: inout [UInt8], timeMillis: UInt64) -> Bool
}

extension ReplicatedStateMachine {
    public func apply(_ entries: [Entry], computed: ([(index: UInt64, result: Result)]) -> Void) throws -> [Result] {
        try apply(entries)
    }

    public static func timeStamp(of data: [UInt8]) -> UInt64? { nil }
    public static func stamp(_ command: inout [UInt8], timeMillis: UInt64) -> Bool { false }
}
