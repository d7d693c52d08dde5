/// A compiled rule (from `rules` or `tools.approvals`): its patterns, condition, action and the
/// approval it asks for. A class, so that walking a list retains one reference per rule.
final class CompiledRule: Sendable {
    let name: String
    let patterns: [GlobPattern]
    let condition: Condition?
    let action: PolicyDocument.Action
    let approval: ApprovalRequirement
    let reason: String?

    /// Compiles `rule`; a condition that does not parse is reported in `diagnostics` (at its
    /// position in the file) and leaves the rule without a condition (the policy then fails).
    init(_ rule: PolicyDocument.Rule, defaults: PolicyDocument.Defaults, diagnostics: inout [PolicyDiagnostic]) {
        var condition: Condition? = nil
        if let source = rule.condition {
            do {
                condition = try Condition(source)
            } catch {
                diagnostics.append(
                    PolicyDiagnostic(
                        .error, at: CompiledRule.location(of: error, in: rule),
                        "condition of `\(rule.name)`: \(error.message)"))
            }
        }
        self.name = rule.name
        self.patterns = rule.match.map { GlobPattern($0.text) }
        self.condition = condition
        self.action = rule.action
        self.approval = ApprovalRequirement(
            requiredApprovals: rule.requiredApprovals ?? defaults.requiredApprovals,
            group: rule.approvalGroup ?? defaults.approvalGroup,
            ttlSeconds: rule.approvalTTLSeconds ?? defaults.approvalTTLSeconds)
        self.reason = rule.reason
    }

    func matches(_ tool: String) -> Bool {
        for pattern in patterns where pattern.matches(tool) { return true }
        return false
    }

    /// Maps a condition error's offset to the file: exact for conditions on one line and for
    /// literal blocks, the scalar's own position otherwise.
    static func location(of error: ConditionSyntaxError, in rule: PolicyDocument.Rule) -> SourceLocation {
        guard let position = rule.conditionPosition, let condition = rule.condition else { return rule.location }
        return position.location(ofOffset: error.offset, in: condition)
    }
}
