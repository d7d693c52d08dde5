extension CompiledPolicy {
    /// Warnings about policies that load but probably do not do what their author meant.
    static func lint(_ document: PolicyDocument) -> [PolicyDiagnostic] {
        var warnings: [PolicyDiagnostic] = []
        let deny = document.tools.deny.map { GlobPattern($0.text) }
        for pattern in document.tools.allow {
            if pattern.text == "*" {
                warnings.append(
                    PolicyDiagnostic(.warning, at: pattern.location, "`*` in tools.allow allows every tool not denied"))
            }
            if GlobPattern(pattern.text).isLiteral, let denied = deny.first(where: { $0.matches(pattern.text) }) {
                warnings.append(
                    PolicyDiagnostic(
                        .warning, at: pattern.location,
                        "`\(pattern.text)` is allowed but also denied by `\(denied)`; deny wins"))
            }
        }
        let allow = document.tools.allow.map { GlobPattern($0.text) }
        let allowRuleMatches = document.rules.filter { $0.action == .allow }.flatMap {
            $0.match.map { GlobPattern($0.text) }
        }
        for rule in document.tools.approvals + document.rules where rule.action == .approval {
            for pattern in rule.match where GlobPattern(pattern.text).isLiteral {
                let allowed = (allow + allowRuleMatches).contains { $0.matches(pattern.text) }
                if !allowed && document.defaults.decision == .deny {
                    warnings.append(
                        PolicyDiagnostic(
                            .warning, at: pattern.location,
                            "approval rule `\(rule.name)` names `\(pattern.text)`, which no allow pattern allows: it is denied before approval is considered"
                        ))
                }
            }
        }
        return warnings
    }
}
