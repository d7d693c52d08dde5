import Foundation
import Raft

/// The driver's status as other threads see it: set by the loop each iteration, and its applied
/// index moved forward by the apply worker as it applies (before it answers the waiters a run
/// releases after storing it), so a client told of its write sees it in `status` at once —
/// except for results the machine hands out before the write (decisions), whose index the
/// status shows once the write is done.
///
/// `@unchecked Sendable`: `value` is read and written only with `lock` held.
final class PublishedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ClusterStatus

    init(_ status: ClusterStatus) { value = status }

    var current: ClusterStatus { lock.withLock { value } }

    /// Replaces the status; the applied index never goes back (the worker may have published a
    /// newer one than the loop has heard of yet).
    func replace(with status: ClusterStatus) {
        lock.withLock {
            let applied = max(value.appliedIndex, status.appliedIndex)
            value = status
            value.appliedIndex = applied
        }
    }

    /// Moves the applied index forward to `index`.
    func applied(upTo index: UInt64) {
        lock.withLock { value.appliedIndex = max(value.appliedIndex, index) }
    }
}
