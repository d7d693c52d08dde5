/// Why the client could not be made, or why ``SandboxClient/execute(tool:params:chainDepth:costUSD:approvalTimeout:perform:)``
/// did not run the action. Each message says what to change.
public enum SandboxSDKError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration cannot work (no endpoints, an endpoint that is not http(s), an empty
    /// agent id or key, an unreadable public key, a bound that is not positive).
    case invalidConfiguration(String)
    /// The sandbox did not allow the action (denied, or unreachable: fail closed).
    case denied(Decision)
    /// The action needs an approval that was not granted within the wait (`status` as last seen).
    case notApproved(Decision, status: ApprovalStatus)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): return "invalid SandboxClient configuration: \(why)"
        case .denied(let decision):
            return "denied by the sandbox (\(decision.source.rawValue), rule \(decision.rule)): \(decision.reason)"
        case .notApproved(let decision, let status):
            return "approval \(decision.approvalID.map(String.init) ?? "?") is \(status.rawValue): \(decision.reason)"
        case .closed: return "the SandboxClient was closed: make a new one"
        }
    }
}
