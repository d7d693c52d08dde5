/// Checks the core's invariants. A broken invariant stops the process (`preconditionFailure`),
/// except in debug builds running a deliberately mutated core: there the first violation is
/// recorded instead, the operation is abandoned, and the simulator reports it as a finding.
final class InvariantMonitor {
    let recordsInsteadOfStopping: Bool
    private(set) var violation: String?

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
        guard recordsInsteadOfStopping else { preconditionFailure("Raft invariant broken: \(message)") }
        if violation == nil { violation = message }
    }
}
