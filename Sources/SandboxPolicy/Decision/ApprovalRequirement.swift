/// Approval details for a `needs_approval` decision.
public struct ApprovalRequirement: Sendable, Hashable {
    /// Distinct approvers needed (N of the group's M members).
    public var requiredApprovals: Int
    public var group: String
    /// How long the request may wait for approval (and an approval stays usable), in seconds.
    public var ttlSeconds: Int

    public init(requiredApprovals: Int, group: String, ttlSeconds: Int) {
        self.requiredApprovals = requiredApprovals
        self.group = group
        self.ttlSeconds = ttlSeconds
    }
}
