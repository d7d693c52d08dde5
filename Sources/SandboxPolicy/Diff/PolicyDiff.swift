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
        var builder = ChangeList()
        builder.compareDefaults(old.agent, old.defaults, new.agent, new.defaults)
        builder.list(
            "tools.allow", old.tools.allow.map(\.text), new.tools.allow.map(\.text), added: .widens, removed: .narrows)
        builder.list(
            "tools.deny", old.tools.deny.map(\.text), new.tools.deny.map(\.text), added: .narrows, removed: .widens)
        builder.changes += PolicyDiff.rules(old.tools.approvals + old.rules, new.tools.approvals + new.rules)
        builder.changes += PolicyDiff.schemas(old.tools.schemas, new.tools.schemas)
        builder.compareNetwork(old.network, new.network)
        builder.compareBudgets(old.budgets, new.budgets)
        builder.value("logging.sample_rate", old.logging.sampleRate, new.logging.sampleRate) { _, _ in .neutral }
        builder.list(
            "logging.redact", old.logging.redact.map(\.rawValue), new.logging.redact.map(\.rawValue),
            added: .neutral, removed: .neutral)
        changes = builder.changes
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
