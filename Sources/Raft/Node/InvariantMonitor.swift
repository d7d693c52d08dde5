/// Checks the core's invariants. A broken invariant stops the process (`preconditionFailure`),
/// except in nodes built through the test seam (`MutationSeam.recordsViolations`: the simulator
/// and the tests, in every build): there the first violation is recorded instead, the operation
/// is abandoned, and the simulator reports it as a finding with its seed.
///
/// It also records the first storage read that failed (other than a compacted or unavailable
/// position). From then on the node has stopped (`RaftNode.failure`), and what it computed
/// from the placeholder values that stand in for the failed reads is discarded, so invariants
/// broken by those values are consequences, not bugs: they no longer stop the process.
final class InvariantMonitor {
    let recordsInsteadOfStopping: Bool
    private(set) var violation: String?
    /// Read on every step: no dynamic exclusivity check (the monitor belongs to one node).
    @exclusivity(unchecked) private(set) var storageFailure: String?

    init(recordsInsteadOfStopping: Bool) {
        self.recordsInsteadOfStopping = recordsInsteadOfStopping
    }

    /// Returns whether `condition` holds; the caller abandons the operation when it does not.
    @inline(__always)
    func require(_ condition: Bool, _ message: @autoclosure () -> String) -> Bool {
        if condition { return true }
        fail(message())
        return false
    }

    func fail(_ message: String) {
        if storageFailure != nil { return }
        guard recordsInsteadOfStopping else { preconditionFailure("Raft invariant broken: \(message)") }
        if violation == nil { violation = message }
    }

    /// Records a failed storage read (the first one counts).
    func storageFailed(_ what: String, _ error: any Error) {
        if storageFailure == nil { storageFailure = "\(what) failed: \(error)" }
    }
}
