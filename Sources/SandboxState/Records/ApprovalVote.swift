/// One approver's vote on an approval.
public struct ApprovalVote: Sendable, Hashable {
    public var principal: String
    public var approve: Bool
    public var timeMillis: UInt64
    public var comment: String?

    public init(principal: String, approve: Bool, timeMillis: UInt64, comment: String?) {
        self.principal = principal
        self.approve = approve
        self.timeMillis = timeMillis
        self.comment = comment
    }
}
