import Foundation
import Raft

/// Linearizable reads waiting on the loop thread: not yet issued (batched into one ReadIndex
/// request per loop iteration), issued under a context, or answered with an index and waiting
/// for the state machine to apply it.
struct ReadWaiters {
    typealias Waiter = CheckedContinuation<UInt64, any Error>

    var queue: [(waiter: Waiter, deadline: ContinuousClock.Instant)] = []
    var issued: [UInt64: [(waiter: Waiter, deadline: ContinuousClock.Instant)]] = [:]
    var answered: [(index: UInt64, waiter: Waiter, deadline: ContinuousClock.Instant)] = []
    var nextContext: UInt64 = 1

    var count: Int { queue.count + answered.count + issued.values.reduce(0) { $0 + $1.count } }

    static func context(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static func value(of context: [UInt8]) -> UInt64? {
        guard context.count == 8 else { return nil }
        return context.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Moves the reads issued under `context` to wait for `index`.
    mutating func answer(context: [UInt8], index: UInt64) {
        guard let id = Self.value(of: context), let reads = issued.removeValue(forKey: id) else { return }
        for read in reads { answered.append((index, read.waiter, read.deadline)) }
    }

    /// Resumes the reads whose index the state machine has applied.
    mutating func complete(applied: UInt64) {
        answered.removeAll { read in
            guard read.index <= applied else { return false }
            read.waiter.resume(returning: read.index)
            return true
        }
    }

    mutating func expire(now: ContinuousClock.Instant) {
        let error = ClusterError.notApplied("the read was not confirmed by a leader in time")
        queue.removeAll { read in
            guard read.deadline <= now else { return false }
            read.waiter.resume(throwing: error)
            return true
        }
        for (id, reads) in issued where reads.contains(where: { $0.deadline <= now }) {
            for read in reads { read.waiter.resume(throwing: error) }
            issued[id] = nil
        }
        answered.removeAll { read in
            guard read.deadline <= now else { return false }
            read.waiter.resume(throwing: error)
            return true
        }
    }

    mutating func failAll(_ error: ClusterError) {
        for read in queue { read.waiter.resume(throwing: error) }
        for (_, reads) in issued { for read in reads { read.waiter.resume(throwing: error) } }
        for read in answered { read.waiter.resume(throwing: error) }
        queue = []
        issued = [:]
        answered = []
    }
}
