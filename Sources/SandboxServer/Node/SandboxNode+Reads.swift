import SandboxCluster
import SandboxState

extension SandboxNode {
    /// A linearizable read point: returns once this node has applied every write committed
    /// before the call (ReadIndex through the leader, batched); read the local state
    /// (``queries``) after it. Without a leader in time, overloaded or stopping: 503 with
    /// `Retry-After` (retry here or on another node).
    func linearizableRead() async throws(APIError) {
        do {
            _ = try await driver.readIndex()
        } catch let error as ClusterError {
            var refusal = APIError(error)
            refusal.outcomeUnknown = false  // a read changes nothing
            throw refusal.status == .serviceUnavailable
                ? refusal : .unavailable("no linearizable read now: \(error.description)", code: "read_unavailable")
        } catch {
            throw .unavailable("no linearizable read now: \(error)", code: "read_unavailable")
        }
    }
}

extension SandboxNode {
    /// A read of the local state (after ``linearizableRead()`` where it must be current); a
    /// store that cannot be read is a 500.
    func readState<T>(_ body: (StateQueries) throws -> T) throws(APIError) -> T {
        do { return try body(queries) } catch { throw .internalError("cannot read the state: \(error)") }
    }
}
