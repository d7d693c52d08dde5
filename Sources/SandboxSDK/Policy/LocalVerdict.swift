import SandboxPolicy

/// Which of the policy's denials the client may give by itself: those that hold whatever the
/// cluster's state (the tool, its parameters, the URL), never those that depend on it (daily
/// budgets, approvals, a disabled agent) nor the static budget checks (chain depth, cost), which
/// the server decides and debits.
enum LocalVerdict {
    static let staticReasons: Set<String> = [
        "tool_denied_by_pattern", "tool_denied_by_rule", "tool_not_allowed", "schema_violation", "malformed_url",
        "scheme_not_allowed", "port_not_allowed", "method_not_allowed", "ambiguous_ipv4", "address_denied",
        "special_address", "internal_host_name", "domain_denied", "host_not_allowed", "metadata_denied",
    ]

    /// The policy's decision when it is a denial the client gives locally; nil: ask the server.
    static func localDenial(_ policy: CompiledPolicy, _ request: PolicyRequest) -> SandboxPolicy.Decision? {
        let decision = policy.evaluate(request)
        guard decision.outcome == .deny, staticReasons.contains(decision.reason.code) else { return nil }
        return decision
    }
}
