import JSONSchema

/// The semantic difference between two policies: what a reviewer needs to know (patterns,
/// rules, schemas, network, budgets, logging), each change marked as widening (more is
/// allowed), narrowing (less is allowed) or neutral. Formatting, comments and key order are not
/// changes.
public struct PolicyDiff: Sendable {
    public enum Effect: String, Sendable, Hashable {
        case widens
        case narrows
        case neutral
        /// Could go either way (a changed condition or pattern): read it.
        case review
    }

    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case added = "+"
            case removed = "-"
            case changed = "~"
        }

        public var kind: Kind
        /// Where: `tools.allow`, `rule \`x\``, `budgets.max_usd_per_day`.
        public var path: String
        public var detail: String
        public var effect: Effect

        public var description: String { "\(kind.rawValue) \(path): \(detail) (\(effect.rawValue))" }
    }

    public let changes: [Change]

    public init(from old: PolicyDocument, to new: PolicyDocument) {
        var changes: [Change] = []
        func value<T: Equatable>(_ path: String, _ a: T?, _ b: T?, _ effect: (T?, T?) -> Effect) {
            guard a != b else { return }
            let show = { (x: T?) in x.map { "\($0)" } ?? "(none)" }
            changes.append(Change(kind: .changed, path: path, detail: "\(show(a)) -> \(show(b))", effect: effect(a, b)))
        }
        func list(_ path: String, _ a: [String], _ b: [String], added: Effect, removed: Effect) {
            for item in b where !a.contains(item) {
                changes.append(Change(kind: .added, path: path, detail: "`\(item)`", effect: added))
            }
            for item in a where !b.contains(item) {
                changes.append(Change(kind: .removed, path: path, detail: "`\(item)`", effect: removed))
            }
        }
        // Limits: raising one (or removing it) widens.
        func limit<T: Comparable>(_ a: T?, _ b: T?) -> Effect {
            switch (a, b) {
            case (nil, _?): return .narrows
            case (_?, nil): return .widens
            case (let x?, let y?): return y > x ? .widens : .narrows
            default: return .neutral
            }
        }
        value("agent", old.agent, new.agent) { _, _ in .neutral }
        value("defaults.decision", old.defaults.decision.rawValue, new.defaults.decision.rawValue) { a, b in
            let rank = ["deny": 0, "approval": 1, "allow": 2]
            return (rank[b ?? ""] ?? 0) > (rank[a ?? ""] ?? 0) ? .widens : .narrows
        }
        value("defaults.approval_group", old.defaults.approvalGroup, new.defaults.approvalGroup) { _, _ in .review }
        value("defaults.required_approvals", old.defaults.requiredApprovals, new.defaults.requiredApprovals) { a, b in
            (b ?? 0) < (a ?? 0) ? .widens : .narrows
        }
        value("defaults.approval_ttl", old.defaults.approvalTTLSeconds, new.defaults.approvalTTLSeconds, limit)
        list("tools.allow", old.tools.allow.map(\.text), new.tools.allow.map(\.text), added: .widens, removed: .narrows)
        list("tools.deny", old.tools.deny.map(\.text), new.tools.deny.map(\.text), added: .narrows, removed: .widens)
        changes += PolicyDiff.rules(old.tools.approvals + old.rules, new.tools.approvals + new.rules)
        changes += PolicyDiff.schemas(old.tools.schemas, new.tools.schemas)
        let (a, b) = (old.network, new.network)
        value("network.deny_all_others", a.denyAllOthers, b.denyAllOthers) { _, y in y == true ? .narrows : .widens }
        value("network.allow_metadata", a.allowMetadata, b.allowMetadata) { _, y in y == true ? .widens : .narrows }
        list(
            "network.allow_domains", a.allowDomains.map(\.text), b.allowDomains.map(\.text), added: .widens,
            removed: .narrows)
        list(
            "network.deny_domains", a.denyDomains.map(\.text), b.denyDomains.map(\.text), added: .narrows,
            removed: .widens)
        list(
            "network.allow_cidrs", a.allowCIDRs.map(\.text), b.allowCIDRs.map(\.text), added: .widens, removed: .narrows
        )
        list("network.deny_cidrs", a.denyCIDRs.map(\.text), b.denyCIDRs.map(\.text), added: .narrows, removed: .widens)
        list("network.schemes", a.schemes, b.schemes, added: .widens, removed: .narrows)
        value("network.ports", a.ports.map { "\($0)" }, b.ports.map { "\($0)" }) { _, _ in .review }
        value("network.methods", a.methods.map { "\($0)" }, b.methods.map { "\($0)" }) { _, _ in .review }
        value("network.max_body_bytes", a.maxBodyBytes, b.maxBodyBytes, limit)
        let (x, y) = (old.budgets, new.budgets)
        value("budgets.max_requests_per_day", x.maxRequestsPerDay, y.maxRequestsPerDay, limit)
        value("budgets.max_usd_per_day", x.maxUSDPerDay, y.maxUSDPerDay, limit)
        value("budgets.max_usd_per_request", x.maxUSDPerRequest, y.maxUSDPerRequest, limit)
        value("budgets.max_chain_depth", x.maxChainDepth, y.maxChainDepth, limit)
        value("logging.sample_rate", old.logging.sampleRate, new.logging.sampleRate) { _, _ in .neutral }
        list(
            "logging.redact", old.logging.redact.map(\.rawValue), new.logging.redact.map(\.rawValue), added: .neutral,
            removed: .neutral)
        self.changes = changes
    }

    static func rules(_ old: [PolicyDocument.Rule], _ new: [PolicyDocument.Rule]) -> [Change] {
        var changes: [Change] = []
        let actionEffect: [PolicyDocument.Action: (added: Effect, removed: Effect)] = [
            .allow: (.widens, .narrows), .deny: (.narrows, .widens), .approval: (.narrows, .widens),
        ]
        func summary(_ rule: PolicyDocument.Rule) -> String {
            var text = "\(rule.action.rawValue) `\(rule.match.map(\.text).joined(separator: "`, `"))`"
            if let condition = rule.condition { text += " where `\(condition)`" }
            return text
        }
        for rule in new where !old.contains(where: { $0.name == rule.name }) {
            changes.append(
                Change(
                    kind: .added, path: "rule `\(rule.name)`", detail: summary(rule),
                    effect: actionEffect[rule.action]!.added))
        }
        for rule in old where !new.contains(where: { $0.name == rule.name }) {
            changes.append(
                Change(
                    kind: .removed, path: "rule `\(rule.name)`", detail: summary(rule),
                    effect: actionEffect[rule.action]!.removed))
        }
        for before in old {
            guard let after = new.first(where: { $0.name == before.name }) else { continue }
            let path = "rule `\(before.name)`"
            func field<T: Equatable>(_ name: String, _ a: T?, _ b: T?, _ effect: Effect) {
                guard a != b else { return }
                let show = { (x: T?) in x.map { "`\($0)`" } ?? "(none)" }
                changes.append(
                    Change(kind: .changed, path: path, detail: "\(name) \(show(a)) -> \(show(b))", effect: effect))
            }
            field("action", before.action.rawValue, after.action.rawValue, .review)
            field(
                "match", before.match.map(\.text).joined(separator: ", "),
                after.match.map(\.text).joined(separator: ", "), .review)
            field("condition", before.condition, after.condition, .review)
            field(
                "required_approvals", before.requiredApprovals, after.requiredApprovals,
                (after.requiredApprovals ?? 1) < (before.requiredApprovals ?? 1) ? .widens : .narrows)
            field("group", before.approvalGroup, after.approvalGroup, .review)
            field("approval_ttl", before.approvalTTLSeconds, after.approvalTTLSeconds, .review)
            field("reason", before.reason, after.reason, .neutral)
        }
        // Order matters among rules of one action (the first match decides).
        for action in PolicyDocument.Action.allCases {
            let a = old.filter { $0.action == action }.map(\.name).filter { name in new.contains { $0.name == name } }
            let b = new.filter { $0.action == action }.map(\.name).filter { name in old.contains { $0.name == name } }
            if Set(a) == Set(b), a != b {
                changes.append(
                    Change(
                        kind: .changed, path: "\(action.rawValue) rules",
                        detail: "reordered: \(b.joined(separator: ", "))",
                        effect: .review))
            }
        }
        return changes
    }

    static func schemas(_ old: [PolicyDocument.SchemaEntry], _ new: [PolicyDocument.SchemaEntry]) -> [Change] {
        var changes: [Change] = []
        for entry in new {
            guard let before = old.first(where: { $0.tool.text == entry.tool.text }) else {
                changes.append(
                    Change(kind: .added, path: "tools.schemas", detail: "`\(entry.tool.text)`", effect: .narrows))
                continue
            }
            if before.source != entry.source {
                changes.append(
                    Change(
                        kind: .changed, path: "tools.schemas", detail: "`\(entry.tool.text)` schema changed",
                        effect: .review))
            }
        }
        for entry in old where !new.contains(where: { $0.tool.text == entry.tool.text }) {
            changes.append(
                Change(kind: .removed, path: "tools.schemas", detail: "`\(entry.tool.text)`", effect: .widens))
        }
        return changes
    }

    /// One line per change, or a sentence saying there is none.
    public var report: String {
        changes.isEmpty ? "no semantic changes" : changes.map(\.description).joined(separator: "\n")
    }
}
