/// Where a snapshot sits in the log, and the membership it carries.
public struct SnapshotMetadata: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64
    public var conf: ConfState

    public init(index: UInt64 = 0, term: UInt64 = 0, conf: ConfState = ConfState()) {
        self.index = index
        self.term = term
        self.conf = conf
    }
}
