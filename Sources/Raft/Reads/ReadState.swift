/// The answer to a ReadIndex request: once the state machine has applied `index`, a read
/// started before the request was made observes every write committed before it.
public struct ReadState: Sendable, Hashable {
    public var index: UInt64
    public var context: [UInt8]

    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
