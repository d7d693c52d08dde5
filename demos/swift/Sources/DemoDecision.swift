/// One answer of the sandbox as the demo narrates it.
struct DemoDecision: Sendable {
    /// `allow`, `deny` or `needs_approval`.
    var outcome: String
    var reason: String
    var rule: String?
    var approvalID: UInt64?
    /// The id the decision was asked under (kept across the SDK's retries).
    var requestID: String?
    var requestsLeft: Int?
    /// Denied by the SDK from its signed policy copy, without asking a node.
    var decidedLocally = false

    var isAllowed: Bool { outcome == "allow" }
}
