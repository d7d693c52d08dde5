/// The one place the core consults test-only switches. Production nodes get `.production`
/// (no mutation; a broken invariant stops the process); the simulator and the tests build nodes
/// through the `Testing` SPI (`RaftNode.init(config:storage:seed:seam:)`).
///
/// Every call site reads `seam.breaks(.someMutation)` and takes the broken path only then; the
/// broken paths themselves are written out in `RaftNode+Mutants.swift` where they are longer
/// than an expression.
@_spi(Testing) public struct MutationSeam: Sendable {
    /// The broken variants switched on.
    public var mutations: Mutations
    /// Record the first broken invariant (`RaftNode.invariantViolation`) and abandon the
    /// operation, instead of stopping the process: the simulator reports the seed, it does not
    /// crash on it.
    public var recordsViolations: Bool

    public init(mutations: Mutations = [], recordsViolations: Bool = true) {
        self.mutations = mutations
        self.recordsViolations = recordsViolations
    }

    /// No mutation; a broken invariant stops the process.
    public static let production = MutationSeam(mutations: [], recordsViolations: false)

    /// Whether the broken variant `mutation` is switched on.
    @inline(__always)
    func breaks(_ mutation: Mutations) -> Bool {
        !mutations.isEmpty && mutations.contains(mutation)
    }

    /// The voters as a quorum; `quorumTooSmall` makes half of them (rounded down) a quorum.
    func majority(of voters: [NodeID]) -> MajorityConfig {
        let majority = MajorityConfig(voters)
        guard breaks(.quorumTooSmall) else { return majority }
        return MajorityConfig(voters: majority.voters, quorum: max(1, majority.voters.count / 2))
    }
}
