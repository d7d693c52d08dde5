import Foundation
import SandboxCluster
import SandboxState

extension SandboxNode {
    /// Proposes `command` stamped with this node's clock (a follower's proposal goes to the
    /// leader) and waits until it is applied here; the outcome, or an ``APIError`` when the
    /// cluster could not answer (503, retryable) or the state refused it.
    func propose(_ command: Command) async throws(APIError) -> EntryResult.Outcome {
        let end = await withCheckedContinuation { continuation in
            propose(command) { continuation.resume(returning: $0) }
        }
        return try end.outcome().get()
    }

    /// ``propose(_:)`` without a task: `completion` runs exactly once, on whichever thread
    /// answers (the apply thread, the Raft loop, or this one when the node refuses at once), so it
    /// must hand the ``ProposalEnd`` to its own thread at once (the decision fast path hands it to
    /// its event loop) and read the outcome there: the metrics and the mapping are not the apply
    /// thread's work.
    func propose(_ command: Command, completion: @escaping @Sendable (ProposalEnd) -> Void) {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let bytes = CommandEnvelope.encode(command, timeMillis: now)
        let finished = metrics.proposalStarted()
        driver.propose(bytes) { completion(ProposalEnd(result: $0, finished: finished)) }
    }

    /// A proposal's raw end, handed from the thread that answered it.
    struct ProposalEnd: Sendable {
        let result: Result<EntryResult, any Error>
        let finished: @Sendable () -> Void

        /// Ends the proposal's metrics (call once) and gives the applied outcome or the API error.
        func outcome() -> Result<EntryResult.Outcome, APIError> {
            finished()
            return SandboxNode.outcome(of: result)
        }
    }

    /// The applied outcome, or the API error that says why there is none.
    static func outcome(of result: Result<EntryResult, any Error>) -> Result<EntryResult.Outcome, APIError> {
        switch result {
        case .success(let applied):
            if case .rejected(let error) = applied.outcome { return .failure(APIError(error)) }
            return .success(applied.outcome)
        case .failure(let error as ClusterError): return .failure(APIError(error))
        case .failure(let error): return .failure(.internalError("proposing failed: \(error)"))
        }
    }
}
