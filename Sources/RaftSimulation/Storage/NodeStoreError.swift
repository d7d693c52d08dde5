/// A store's answer that the simulator cannot use.
public enum NodeStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A snapshot's data is not the state machine at the snapshot's index.
    case snapshotDataMismatch(index: UInt64, detail: String)
    /// A store was asked for after the run finished (its stores are closed).
    case runFinished

    public var description: String {
        switch self {
        case .snapshotDataMismatch(let index, let detail):
            return "the data of snapshot \(index) does not hold the state machine at that index: \(detail)"
        case .runFinished:
            return "the simulated run is over: its node stores are closed"
        }
    }
}
