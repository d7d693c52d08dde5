import Raft
import SandboxCluster
import SandboxState
import SandboxStateStore
import SandboxStorage

/// The replicated state machine (`SandboxState.StateMachine`) as the driver applies it.
final class SandboxMachine: ReplicatedStateMachine {
    let machine: StateMachine
    let store: StateStore
    /// Called on the driver's apply thread (or its loop thread, after a snapshot) after a member's addresses or the membership changed (and
    /// after a snapshot was installed), with the membership when it is known; set before the
    /// driver starts.
    var membersChanged: (ConfState?) -> Void = { _ in }
    /// Called on the driver's thread after each applied batch with its results (nil after a
    /// snapshot replaced the state): wakes the long polls (`ApplyWatchers`).
    var applied: ([EntryResult]?) -> Void = { _ in }

    init(store: StateStore, limits: StateLimits = StateLimits()) throws {
        self.store = store
        machine = try StateMachine(storage: RocksStateStorage(store), limits: limits)
    }

    var appliedIndex: UInt64 { machine.appliedIndex }

    func apply(_ entries: [Entry]) throws -> [EntryResult] {
        try apply(entries) { _ in }
    }

    /// Decisions are handed out before their run is stored: what a decision changes (a budget,
    /// an approval, the audit log) is read through a linearizable read (ReadIndex, which waits
    /// for the applied index), never locally right after. Identity and policy changes are not:
    /// the agent key lookup of the next request is a local read.
    func apply(_ entries: [Entry], computed: ([(index: UInt64, result: EntryResult)]) -> Void) throws
        -> [EntryResult]
    {
        let results = try machine.apply(entries) { run in
            let decided = run.compactMap { result -> (index: UInt64, result: EntryResult)? in
                if case .decided = result.outcome { return (result.index, result) }
                return nil
            }
            if !decided.isEmpty { computed(decided) }
        }
        var byIndex: [UInt64: EntryResult] = [:]
        for result in results { byIndex[result.index] = result }
        if entries.contains(where: { CommandEnvelope.carriesMemberAddress($0.data) }) { membersChanged(nil) }
        applied(results)
        return entries.map { byIndex[$0.index] ?? EntryResult(index: $0.index, outcome: .noop) }
    }

    func applyMembership(_ conf: ConfState, at index: UInt64) throws {
        try store.apply(StateBatch(), appliedIndex: index, confState: conf)
        try machine.reload()  // its applied index moved under it
        membersChanged(conf)
    }

    func reloadAfterSnapshot() throws {
        applied(nil)  // first: the caches of the old state go even if the reload fails
        try machine.reload()
        membersChanged(nil)
    }

    /// The leader restamps every command it proposes with its own time (`CommandEnvelope`).
    static func timeStamp(of data: [UInt8]) -> UInt64? {
        guard data.count >= CommandEnvelope.headerBytes, data[0] == CommandEnvelope.formatVersion else { return nil }
        return data[CommandEnvelope.timeOffset..<CommandEnvelope.timeOffset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func stamp(_ command: inout [UInt8], timeMillis: UInt64) -> Bool {
        CommandEnvelope.stamp(&command, timeMillis: timeMillis)
    }
}
