import Foundation
import Raft

extension RaftDriver {
    /// Issues one ReadIndex request for every read queued in this iteration (a batch shares one
    /// heartbeat round); without a leader the reads stay queued until their deadline.
    func submitReads() {
        guard !reads.queue.isEmpty else { return }
        let context = reads.nextContext
        do {
            try node.readIndex(ReadWaiters.context(context))
            reads.nextContext += 1
            reads.issued[context] = reads.queue
            reads.queue = []
        } catch {
            switch error {
            case .notLeader, .noLeader, .transferInProgress: return  // try again next iteration
            default:
                let failure = ClusterError.refused(error)
                for read in reads.queue { read.waiter.resume(throwing: failure) }
                reads.queue = []
            }
        }
    }
}
