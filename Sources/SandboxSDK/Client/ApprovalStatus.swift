/// Where an approval stands, as ``SandboxClient/waitForApproval(_:timeout:)`` last saw it.
public enum ApprovalStatus: String, Sendable, Hashable, CaseIterable {
    /// Still waiting for votes (also when the wait ended without any node answering).
    case pending
    /// Granted: ask again with the same call to go ahead (single use).
    case approved
    case denied
    case expired
    /// Already used by a decision.
    case consumed
    /// A node refused to show it (401, 403, 404: an unknown approval, another agent's, a
    /// revoked key): waiting longer cannot change that.
    case refused
}
