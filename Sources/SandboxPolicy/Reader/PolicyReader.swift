import JSON
import JSONSchema

/// Walks the YAML tree into a ``PolicyDocument``, collecting diagnostics instead of stopping at
/// the first problem.
struct PolicyReader {
    /// The file's lines, to map condition errors onto columns.
    let lines: [Substring]
    var diagnostics: [PolicyDiagnostic] = []

    static let topKeys = [
        "version", "agent", "api_key", "description", "defaults", "tools", "rules", "network", "budgets", "logging",
    ]
    static let defaultsKeys = ["decision", "approval_group", "required_approvals", "approval_ttl"]
    static let toolsKeys = ["allow", "deny", "approvals", "schemas"]
    static let ruleKeys = [
        "name", "match", "tool", "where", "condition", "action", "required_approvals", "group", "require",
        "approval_ttl", "ttl", "reason",
    ]
    static let networkKeys = [
        "deny_all_others", "allow_domains", "deny_domains", "schemes", "ports", "allow_cidrs", "deny_cidrs", "methods",
        "max_body_bytes", "allow_metadata",
    ]
    static let metadataWarning =
        "SECURITY: `allow_metadata: true` lets the agent reach cloud metadata endpoints (169.254.169.254, "
        + "metadata.google.internal, ...), which hand out this machine's credentials; keep it only for an agent "
        + "that must manage its own instance"
    static let budgetKeys = ["max_requests_per_day", "max_usd_per_day", "max_usd_per_request", "max_chain_depth"]
    static let loggingKeys = ["sample_rate", "redact"]

    mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(PolicyDiagnostic(.error, at: location, message))
    }

    mutating func warning(_ location: SourceLocation, _ message: String) {
        diagnostics.append(PolicyDiagnostic(.warning, at: location, message))
    }

    /// The entries of a mapping, reporting keys outside `known` (with a suggestion).
    mutating func entries(_ node: YAMLNode, _ section: String, known: [String]) -> [YAMLEntry] {
        guard case .mapping(let entries) = node.kind else {
            let name = section.isEmpty ? "the policy" : "`\(section)`"
            error(node.location, "\(name) must be a mapping, not \(node.typeName)")
            return []
        }
        var accepted: [YAMLEntry] = []
        for entry in entries {
            if known.contains(entry.key) {
                accepted.append(entry)
            } else {
                let hint = Suggestion.closest(to: entry.key, among: known).map { "; did you mean `\($0)`?" } ?? ""
                let place = section.isEmpty ? "" : " in `\(section)`"
                error(entry.keyLocation, "unknown key `\(entry.key)`\(place)\(hint)")
            }
        }
        return accepted
    }

    // MARK: scalars

    mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        guard case .scalar(let text, _) = node.kind else {
            error(node.location, "`\(what)` must be a string, not \(node.typeName)")
            return nil
        }
        return text
    }

    mutating func integer(_ node: YAMLNode, _ what: String, range: ClosedRange<Int>) -> Int? {
        guard case .number(let number) = node.jsonValue, let value = number.int64Value,
            let int = Int(exactly: value), range.contains(int)
        else {
            error(node.location, "`\(what)` must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return int
    }

    /// A dollar amount: a number ≥ 0 that converts exactly to micro-dollars (what ledgers count).
    mutating func dollars(_ node: YAMLNode, _ what: String) -> JSONNumber? {
        guard case .number(let number) = node.jsonValue, MicroUSD.exact(number) != nil else {
            error(node.location, "`\(what)` must be a number of dollars ≥ 0 with at most six decimal places")
            return nil
        }
        return number
    }

    mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard case .bool(let flag) = node.jsonValue else {
            error(node.location, "`\(what)` must be true or false")
            return nil
        }
        return flag
    }

    /// A list of strings; a single string is accepted as a list of one.
    mutating func patterns(_ node: YAMLNode, _ what: String) -> [PolicyDocument.Pattern] {
        switch node.kind {
        case .scalar(let text, _):
            return [PolicyDocument.Pattern(text: text, location: node.location)]
        case .sequence(let items):
            var patterns: [PolicyDocument.Pattern] = []
            for item in items {
                if let text = string(item, "\(what)[]") {
                    patterns.append(PolicyDocument.Pattern(text: text, location: item.location))
                }
            }
            return patterns
        case .mapping:
            error(node.location, "`\(what)` must be a list of strings")
            return []
        }
    }

    /// Seconds, written as a whole number or with a unit: `90s`, `30m`, `1h`, `7d`.
    mutating func duration(_ node: YAMLNode, _ what: String) -> Int? {
        let limit = 30 * 86_400
        if case .number = node.jsonValue { return integer(node, what, range: 1...limit) }
        guard case .scalar(let text, _) = node.kind, let unit = text.last, let amount = Int(text.dropLast()),
            amount > 0
        else {
            error(node.location, "`\(what)` must be a duration such as 90s, 30m, 1h or 7d")
            return nil
        }
        let factor: Int
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default:
            error(node.location, "`\(what)`: unknown unit `\(unit)` (use s, m, h or d)")
            return nil
        }
        guard amount <= limit / factor else {
            error(node.location, "`\(what)` must be at most 30 days")
            return nil
        }
        return amount * factor
    }

    /// How a condition scalar's characters sit in the file.
    func conditionPosition(_ node: YAMLNode, style: YAMLNode.ScalarStyle, text: String) -> ConditionPosition {
        let line = node.location.line
        switch style {
        case .literal where line < lines.count:
            let indent = lines[line].prefix { $0 == " " }.count
            return ConditionPosition(start: node.location, layout: .literalBlock(indent: indent))
        case .plain, .singleQuoted, .doubleQuoted:
            guard !text.contains("\n"), line >= 1, line <= lines.count else { break }
            return ConditionPosition(
                start: node.location, layout: .inline(style: style, source: String(lines[line - 1])))
        default:
            break
        }
        return ConditionPosition(start: node.location, layout: .approximate)
    }

    // MARK: sections

    mutating func read(_ root: YAMLNode) -> PolicyDocument {
        var document = PolicyDocument(
            defaults: .init(), tools: .init(), rules: [], network: .init(), budgets: .init(), logging: .init(),
            warnings: [])
        for entry in entries(root, "", known: PolicyReader.topKeys) {
            let value = entry.value
            switch entry.key {
            case "version": document.version = integer(value, "version", range: 1...1)
            case "agent": document.agent = string(value, "agent")
            case "description": document.description = string(value, "description")
            case "api_key":
                warning(
                    entry.keyLocation,
                    "`api_key` is a secret in the wrong place: it is ignored; remove it from the policy and rotate it")
            case "defaults": document.defaults = readDefaults(value)
            case "tools": document.tools = readTools(value)
            case "rules":
                guard case .sequence(let items) = value.kind else {
                    error(value.location, "`rules` must be a list")
                    continue
                }
                for (index, item) in items.enumerated() {
                    if let rule = readRule(item, section: "rules", index: index, approvalOnly: false) {
                        document.rules.append(rule)
                    }
                }
            case "network": document.network = readNetwork(value)
            case "budgets": document.budgets = readBudgets(value)
            default: document.logging = readLogging(value)
            }
        }
        var names: [String: SourceLocation] = [:]
        for rule in document.tools.approvals + document.rules {
            if let first = names[rule.name] {
                error(rule.location, "duplicate rule name `\(rule.name)` (first used at \(first))")
            }
            names[rule.name] = rule.location
        }
        return document
    }

    mutating func readDefaults(_ node: YAMLNode) -> PolicyDocument.Defaults {
        var defaults = PolicyDocument.Defaults()
        for entry in entries(node, "defaults", known: PolicyReader.defaultsKeys) {
            switch entry.key {
            case "decision":
                guard let text = string(entry.value, "defaults.decision") else { continue }
                let spelled = text == "needs_approval" ? "approval" : text
                guard let decision = PolicyDocument.DefaultDecision(rawValue: spelled) else {
                    error(entry.value.location, "`defaults.decision` must be deny, approval or allow")
                    continue
                }
                if decision == .allow {
                    warning(
                        entry.value.location,
                        "`defaults.decision: allow` fails open: every tool no pattern lists is allowed")
                }
                defaults.decision = decision
            case "approval_group":
                if let group = string(entry.value, "defaults.approval_group") { defaults.approvalGroup = group }
            case "required_approvals":
                if let count = integer(entry.value, "defaults.required_approvals", range: 1...16) {
                    defaults.requiredApprovals = count
                }
            default:
                if let ttl = duration(entry.value, "defaults.approval_ttl") { defaults.approvalTTLSeconds = ttl }
            }
        }
        return defaults
    }

    mutating func readTools(_ node: YAMLNode) -> PolicyDocument.Tools {
        var tools = PolicyDocument.Tools()
        for entry in entries(node, "tools", known: PolicyReader.toolsKeys) {
            switch entry.key {
            case "allow": tools.allow = patterns(entry.value, "tools.allow")
            case "deny": tools.deny = patterns(entry.value, "tools.deny")
            case "approvals":
                guard case .sequence(let items) = entry.value.kind else {
                    error(entry.value.location, "`tools.approvals` must be a list")
                    continue
                }
                for (index, item) in items.enumerated() {
                    if let rule = readRule(item, section: "tools.approvals", index: index, approvalOnly: true) {
                        tools.approvals.append(rule)
                    }
                }
            default:
                guard case .mapping(let schemas) = entry.value.kind else {
                    error(entry.value.location, "`tools.schemas` must map tool patterns to schemas")
                    continue
                }
                for schema in schemas {
                    let tool = PolicyDocument.Pattern(text: schema.key, location: schema.keyLocation)
                    switch schema.value.kind {
                    case .scalar(let path, let style) where style != .plain || YAMLNode.resolvePlain(path).isString:
                        tools.schemas.append(.init(tool: tool, source: .reference(path)))
                    default:
                        tools.schemas.append(.init(tool: tool, source: .inline(schema.value.jsonValue)))
                    }
                }
            }
        }
        return tools
    }

    mutating func readRule(_ node: YAMLNode, section: String, index: Int, approvalOnly: Bool) -> PolicyDocument.Rule? {
        let place = "\(section)[\(index)]"
        var rule = PolicyDocument.Rule(
            name: place, match: [], action: approvalOnly ? .approval : .allow, location: node.location)
        var sawMatch = false
        var sawAction = approvalOnly
        var seen: [String: String] = [:]
        let aliases = [
            "tool": "match", "condition": "where", "require": "group", "ttl": "approval_ttl",
        ]
        for entry in entries(node, place, known: PolicyReader.ruleKeys) {
            let canonical = aliases[entry.key] ?? entry.key
            if let other = seen[canonical] {
                error(entry.keyLocation, "`\(entry.key)` and `\(other)` say the same thing; keep one")
                continue
            }
            seen[canonical] = entry.key
            let value = entry.value
            switch canonical {
            case "name": if let name = string(value, "\(place).name") { rule.name = name }
            case "match":
                rule.match = patterns(value, "\(place).\(entry.key)")
                sawMatch = true
                if rule.match.isEmpty, case .sequence = value.kind {
                    error(value.location, "`\(place).\(entry.key)` is empty: name at least one tool pattern")
                }
            case "where":
                guard case .scalar(let text, let style) = value.kind else {
                    error(value.location, "`\(place).\(entry.key)` must be a condition string")
                    continue
                }
                rule.condition = text
                rule.conditionPosition = conditionPosition(value, style: style, text: text)
            case "action":
                sawAction = true
                if let action = readAction(value, place, approvalOnly: approvalOnly) { rule.action = action }
            case "required_approvals":
                rule.requiredApprovals = integer(value, "\(place).required_approvals", range: 1...16)
            case "group": rule.approvalGroup = string(value, "\(place).\(entry.key)")
            case "approval_ttl": rule.approvalTTLSeconds = duration(value, "\(place).\(entry.key)")
            default: rule.reason = string(value, "\(place).reason")
            }
        }
        if !sawMatch {
            error(node.location, "`\(place)` needs `\(approvalOnly ? "tool" : "match")`: which tools it applies to")
        }
        if !sawAction { error(node.location, "`\(place)` needs `action`: allow, deny or approval") }
        if rule.action != .approval,
            rule.requiredApprovals != nil || rule.approvalGroup != nil || rule.approvalTTLSeconds != nil
        {
            warning(node.location, "`\(place)` sets approval details but its action is \(rule.action.rawValue)")
        }
        return sawMatch && sawAction ? rule : nil
    }

    /// A rule's `action` (`needs_approval` and `require_approval` spell `approval`); nil, with an
    /// error, if it is not one.
    private mutating func readAction(_ value: YAMLNode, _ place: String, approvalOnly: Bool) -> PolicyDocument.Action? {
        guard let text = string(value, "\(place).action") else { return nil }
        let spelled = text == "needs_approval" || text == "require_approval" ? "approval" : text
        guard let action = PolicyDocument.Action(rawValue: spelled) else {
            let hint =
                Suggestion.closest(to: text, among: ["allow", "deny", "approval"]).map { "; did you mean `\($0)`?" }
                ?? ""
            error(value.location, "`\(place).action` must be allow, deny or approval\(hint)")
            return nil
        }
        if approvalOnly && action != .approval {
            error(value.location, "entries of `tools.approvals` are approval rules; move this one to `rules`")
        }
        return action
    }

    mutating func readNetwork(_ node: YAMLNode) -> PolicyDocument.Network {
        var network = PolicyDocument.Network()
        network.isPresent = true
        for entry in entries(node, "network", known: PolicyReader.networkKeys) {
            let value = entry.value
            switch entry.key {
            case "deny_all_others":
                if let flag = bool(value, "network.deny_all_others") {
                    network.denyAllOthers = flag
                    if !flag {
                        warning(value.location, "`deny_all_others: false` allows egress to any public host not denied")
                    }
                }
            case "allow_metadata":
                if let flag = bool(value, "network.allow_metadata") {
                    network.allowMetadata = flag
                    if flag { warning(value.location, PolicyReader.metadataWarning) }
                }
            case "allow_domains": network.allowDomains = patterns(value, "network.allow_domains")
            case "deny_domains": network.denyDomains = patterns(value, "network.deny_domains")
            case "allow_cidrs": network.allowCIDRs = patterns(value, "network.allow_cidrs")
            case "deny_cidrs": network.denyCIDRs = patterns(value, "network.deny_cidrs")
            case "schemes": network.schemes = patterns(value, "network.schemes").map { $0.text.lowercased() }
            case "methods": network.methods = patterns(value, "network.methods").map { $0.text.uppercased() }
            case "ports":
                guard case .sequence(let items) = value.kind else {
                    error(value.location, "`network.ports` must be a list of port numbers")
                    continue
                }
                network.ports = items.compactMap { integer($0, "network.ports[]", range: 1...65535) }
            default:
                network.maxBodyBytes = integer(value, "network.max_body_bytes", range: 0...(1 << 40))
            }
        }
        return network
    }

    mutating func readBudgets(_ node: YAMLNode) -> PolicyDocument.Budgets {
        var budgets = PolicyDocument.Budgets()
        for entry in entries(node, "budgets", known: PolicyReader.budgetKeys) {
            let value = entry.value
            switch entry.key {
            case "max_requests_per_day":
                budgets.maxRequestsPerDay = integer(value, "budgets.max_requests_per_day", range: 0...1_000_000_000)
            case "max_usd_per_day": budgets.maxUSDPerDay = dollars(value, "budgets.max_usd_per_day")
            case "max_usd_per_request": budgets.maxUSDPerRequest = dollars(value, "budgets.max_usd_per_request")
            default: budgets.maxChainDepth = integer(value, "budgets.max_chain_depth", range: 0...1000)
            }
        }
        return budgets
    }

    mutating func readLogging(_ node: YAMLNode) -> PolicyDocument.Logging {
        var logging = PolicyDocument.Logging()
        for entry in entries(node, "logging", known: PolicyReader.loggingKeys) {
            let value = entry.value
            switch entry.key {
            case "sample_rate":
                guard case .number(let rate) = value.jsonValue, (0...1).contains(rate.doubleValue) else {
                    error(value.location, "`logging.sample_rate` must be a number from 0 to 1")
                    continue
                }
                logging.sampleRate = rate.doubleValue
            default:
                for pattern in patterns(value, "logging.redact") {
                    guard let kind = RedactionClass(rawValue: pattern.text.uppercased()) else {
                        let known = RedactionClass.allCases.map(\.rawValue)
                        let hint =
                            Suggestion.closest(to: pattern.text.uppercased(), among: known).map {
                                "; did you mean `\($0)`?"
                            } ?? ""
                        error(
                            pattern.location,
                            "unknown redaction class `\(pattern.text)`\(hint) (known: \(known.joined(separator: ", ")))"
                        )
                        continue
                    }
                    logging.redact.append(kind)
                }
            }
        }
        return logging
    }
}
