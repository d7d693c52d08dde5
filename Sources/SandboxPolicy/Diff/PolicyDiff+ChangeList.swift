extension PolicyDiff {
    /// The changes found so far, with the comparisons `PolicyDiff.init` makes section by section.
    struct ChangeList {
        var changes: [Change] = []

        /// A changed single value; `effect` judges the change from the old and new values.
        mutating func value<T: Equatable>(_ path: String, _ old: T?, _ new: T?, _ effect: (T?, T?) -> Effect) {
            guard old != new else { return }
            let show = { (value: T?) in value.map { "\($0)" } ?? "(none)" }
            changes.append(
                Change(kind: .changed, path: path, detail: "\(show(old)) -> \(show(new))", effect: effect(old, new)))
        }

        /// Items added to and removed from a list.
        mutating func list(_ path: String, _ old: [String], _ new: [String], added: Effect, removed: Effect) {
            for item in new where !old.contains(item) {
                changes.append(Change(kind: .added, path: path, detail: "`\(item)`", effect: added))
            }
            for item in old where !new.contains(item) {
                changes.append(Change(kind: .removed, path: path, detail: "`\(item)`", effect: removed))
            }
        }

        /// Limits: raising one (or removing it) widens.
        static func limit<T: Comparable>(_ old: T?, _ new: T?) -> Effect {
            switch (old, new) {
            case (nil, _?): return .narrows
            case (_?, nil): return .widens
            case (let before?, let after?): return after > before ? .widens : .narrows
            default: return .neutral
            }
        }

        mutating func compareDefaults(
            _ oldAgent: String?, _ old: PolicyDocument.Defaults, _ newAgent: String?, _ new: PolicyDocument.Defaults
        ) {
            value("agent", oldAgent, newAgent) { _, _ in .neutral }
            value("defaults.decision", old.decision.rawValue, new.decision.rawValue) { before, after in
                let rank = ["deny": 0, "approval": 1, "allow": 2]
                return (rank[after ?? ""] ?? 0) > (rank[before ?? ""] ?? 0) ? .widens : .narrows
            }
            value("defaults.approval_group", old.approvalGroup, new.approvalGroup) { _, _ in .review }
            value("defaults.required_approvals", old.requiredApprovals, new.requiredApprovals) { before, after in
                (after ?? 0) < (before ?? 0) ? .widens : .narrows
            }
            value("defaults.approval_ttl", old.approvalTTLSeconds, new.approvalTTLSeconds, ChangeList.limit)
        }

        mutating func compareNetwork(_ old: PolicyDocument.Network, _ new: PolicyDocument.Network) {
            value("network.deny_all_others", old.denyAllOthers, new.denyAllOthers) { _, after in
                after == true ? .narrows : .widens
            }
            value("network.allow_metadata", old.allowMetadata, new.allowMetadata) { _, after in
                after == true ? .widens : .narrows
            }
            list(
                "network.allow_domains", old.allowDomains.map(\.text), new.allowDomains.map(\.text), added: .widens,
                removed: .narrows)
            list(
                "network.deny_domains", old.denyDomains.map(\.text), new.denyDomains.map(\.text), added: .narrows,
                removed: .widens)
            list(
                "network.allow_cidrs", old.allowCIDRs.map(\.text), new.allowCIDRs.map(\.text), added: .widens,
                removed: .narrows)
            list(
                "network.deny_cidrs", old.denyCIDRs.map(\.text), new.denyCIDRs.map(\.text), added: .narrows,
                removed: .widens)
            list("network.schemes", old.schemes, new.schemes, added: .widens, removed: .narrows)
            value("network.ports", old.ports.map { "\($0)" }, new.ports.map { "\($0)" }) { _, _ in .review }
            value("network.methods", old.methods.map { "\($0)" }, new.methods.map { "\($0)" }) { _, _ in .review }
            value("network.max_body_bytes", old.maxBodyBytes, new.maxBodyBytes, ChangeList.limit)
        }

        mutating func compareBudgets(_ old: PolicyDocument.Budgets, _ new: PolicyDocument.Budgets) {
            value("budgets.max_requests_per_day", old.maxRequestsPerDay, new.maxRequestsPerDay, ChangeList.limit)
            value("budgets.max_usd_per_day", old.maxUSDPerDay, new.maxUSDPerDay, ChangeList.limit)
            value("budgets.max_usd_per_request", old.maxUSDPerRequest, new.maxUSDPerRequest, ChangeList.limit)
            value("budgets.max_chain_depth", old.maxChainDepth, new.maxChainDepth, ChangeList.limit)
        }
    }
}
