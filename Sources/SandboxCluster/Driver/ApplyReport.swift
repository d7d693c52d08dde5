import Raft

/// What the apply worker hands back to the driver's loop for each item it applied.
enum ApplyReport<Result: Sendable>: Sendable {
    /// A run of normal entries and their results, in order; `replaced`: the waiters that
    /// travelled with the run whose index holds another term's entry (not applied).
    case entries([Entry], [Result], replaced: [ProposalWaiters<Result>.Queued])
    /// A configuration change entry and the membership stored with it.
    case membership(Entry, ConfState)
    /// Applying failed (storage): nothing more is applied, the node stops.
    case failed(String)
}

extension ApplyReport {
    /// A run of entries with no replaced waiter: its proposals were answered by the worker, so
    /// the report wakes the loop only when something waits for it (`awaitsApplyReports`). A
    /// membership change, a replaced waiter (proposed again by the loop) or a failure always does.
    var isRoutine: Bool {
        if case .entries(_, _, let replaced) = self { return replaced.isEmpty }
        return false
    }
}
