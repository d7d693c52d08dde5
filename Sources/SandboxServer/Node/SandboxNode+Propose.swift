import Foundation
import SandboxCluster
import SandboxState

extension SandboxNode {
    /// Proposes `command` stamped with this node's clock (a follower's proposal goes to the
    /// leader) and waits until it is applied here; the outcome, or an ``APIError`` when the
    /// cluster could not answer (503, retryable) or the state refused it.
    func propose(_ command: Command) async throws(APIError) -> EntryResult.Outcome {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let outcome: EntryResult.Outcome
        do {
            let bytes = CommandEnvelope.encode(command, timeMillis: now)
            outcome = try await metrics.timeProposal { try await driver.propose(bytes) }.outcome
        } catch let error as ClusterError {
            throw APIError(error)
        } catch {
            throw .internalError("proposing failed: \(error)")
        }
        if case .rejected(let error) = outcome { throw APIError(error) }
        return outcome
    }
}
