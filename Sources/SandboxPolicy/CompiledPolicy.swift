import JSON
import JSONSchema

/// A policy compiled for evaluation: patterns, conditions, schemas and network rules are all
/// prepared once, then ``evaluate(_:)-(PolicyRequest)`` decides requests without touching the YAML again.
///
/// Order of checks for a tool call (the first that decides wins):
/// 1. `tools.deny` patterns, then `deny` rules (match and condition; an undecidable condition
///    denies): deny.
/// 2. Allow gate: a `tools.allow` pattern or an `allow` rule whose condition holds; otherwise
///    `defaults.decision` (deny unless set otherwise).
/// 3. The tool's parameter schema (first `tools.schemas` pattern matching the tool): deny on
///    failure, naming the failing path.
/// 4. Static budgets: chain depth over `max_chain_depth`, cost over `max_usd_per_request` or
///    `max_usd_per_day`: deny.
/// 5. Approval rules (`tools.approvals`, then `approval` rules, in file order): the first whose
///    pattern matches and whose condition holds (or cannot be decided) requires approval.
/// 6. Allow (or the default's approval).
public final class CompiledPolicy: Sendable {
    /// The document this was compiled from.
    public let document: PolicyDocument
    /// Warnings found while reading and compiling.
    public let warnings: [PolicyDiagnostic]

    // Compiled entries are classes so that walking a list retains one reference per entry
    // instead of copying every field.
    final class ToolPattern: Sendable {
        let pattern: GlobPattern
        let ruleID: String

        init(pattern: GlobPattern, ruleID: String) {
            self.pattern = pattern
            self.ruleID = ruleID
        }
    }

    final class Rule: Sendable {
        let name: String
        let patterns: [GlobPattern]
        let condition: Condition?
        let action: PolicyDocument.Action
        let approval: ApprovalRequirement
        let reason: String?

        init(
            name: String, patterns: [GlobPattern], condition: Condition?, action: PolicyDocument.Action,
            approval: ApprovalRequirement, reason: String?
        ) {
            self.name = name
            self.patterns = patterns
            self.condition = condition
            self.action = action
            self.approval = approval
            self.reason = reason
        }

        func matches(_ tool: String) -> Bool {
            for pattern in patterns where pattern.matches(tool) { return true }
            return false
        }
    }

    final class SchemaEntry: Sendable {
        let pattern: GlobPattern
        let schema: CompiledSchema
        let ruleID: String

        init(pattern: GlobPattern, schema: CompiledSchema, ruleID: String) {
            self.pattern = pattern
            self.schema = schema
            self.ruleID = ruleID
        }
    }

    let denyPatterns: [ToolPattern]
    let allowPatterns: [ToolPattern]
    let denyRules: [Rule]
    let allowRules: [Rule]
    let approvalRules: [Rule]
    let schemas: [SchemaEntry]
    let network: NetworkRules
    let defaultApproval: ApprovalRequirement
    let redactor: Redactor
    /// The daily budgets every decision carries for the ledger.
    public let ledgerLimits: LedgerLimits

    /// Reads and compiles a policy. `resolveSchema` loads a schema given by file reference in
    /// `tools.schemas` (the module never reads files itself).
    public convenience init(
        yaml text: String, resolveSchema: (String) throws -> JSONValue = CompiledPolicy.noSchemaFiles
    ) throws(PolicyError) {
        try self.init(try PolicyDocument(yaml: text), resolveSchema: resolveSchema)
    }

    /// The default resolver: refuses every schema file reference.
    public static func noSchemaFiles(_ reference: String) throws -> JSONValue {
        throw SchemaReferenceError(reference: reference, message: "no schema files can be read here")
    }

    public init(
        _ document: PolicyDocument, resolveSchema: (String) throws -> JSONValue = CompiledPolicy.noSchemaFiles
    ) throws(PolicyError) {
        var diagnostics = document.warnings
        let defaults = document.defaults
        defaultApproval = ApprovalRequirement(
            requiredApprovals: defaults.requiredApprovals, group: defaults.approvalGroup,
            ttlSeconds: defaults.approvalTTLSeconds)
        func patterns(_ list: [PolicyDocument.Pattern], _ key: String) -> [ToolPattern] {
            list.enumerated().map { ToolPattern(pattern: GlobPattern($1.text), ruleID: "\(key)[\($0)]") }
        }
        denyPatterns = patterns(document.tools.deny, "tools.deny")
        allowPatterns = patterns(document.tools.allow, "tools.allow")
        var compiledRules: [Rule] = []
        for rule in document.tools.approvals + document.rules {
            var condition: Condition? = nil
            if let source = rule.condition {
                do {
                    condition = try Condition(source)
                } catch {
                    diagnostics.append(
                        PolicyDiagnostic(
                            .error, at: CompiledPolicy.location(of: error, in: rule),
                            "condition of `\(rule.name)`: \(error.message)"))
                }
            }
            compiledRules.append(
                Rule(
                    name: rule.name, patterns: rule.match.map { GlobPattern($0.text) }, condition: condition,
                    action: rule.action,
                    approval: ApprovalRequirement(
                        requiredApprovals: rule.requiredApprovals ?? defaults.requiredApprovals,
                        group: rule.approvalGroup ?? defaults.approvalGroup,
                        ttlSeconds: rule.approvalTTLSeconds ?? defaults.approvalTTLSeconds),
                    reason: rule.reason))
        }
        denyRules = compiledRules.filter { $0.action == .deny }
        allowRules = compiledRules.filter { $0.action == .allow }
        approvalRules = compiledRules.filter { $0.action == .approval }
        var compiledSchemas: [SchemaEntry] = []
        for (index, entry) in document.tools.schemas.enumerated() {
            let schemaValue: JSONValue
            switch entry.source {
            case .inline(let value):
                schemaValue = value
            case .reference(let path):
                do {
                    schemaValue = try resolveSchema(path)
                } catch {
                    diagnostics.append(
                        PolicyDiagnostic(.error, at: entry.tool.location, "schema of `\(entry.tool.text)`: \(error)"))
                    continue
                }
            }
            do {
                compiledSchemas.append(
                    SchemaEntry(
                        pattern: GlobPattern(entry.tool.text), schema: try CompiledSchema(schemaValue),
                        ruleID: "tools.schemas[\(index)]"))
            } catch {
                diagnostics.append(
                    PolicyDiagnostic(.error, at: entry.tool.location, "schema of `\(entry.tool.text)`: \(error)"))
            }
        }
        schemas = compiledSchemas
        network = NetworkRules(document.network, errors: &diagnostics)
        redactor = Redactor(classes: document.logging.redact)
        ledgerLimits = LedgerLimits(
            maxRequestsPerDay: document.budgets.maxRequestsPerDay,
            maxMicroUSDPerDay: document.budgets.maxUSDPerDay.map(MicroUSD.roundedUp))
        diagnostics += CompiledPolicy.lint(document)
        if diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(diagnostics) }
        self.document = document
        self.warnings = diagnostics.sorted { $0.location < $1.location }
    }

    /// Maps a condition error's offset to the file: exact for conditions on one line and for
    /// literal blocks, the scalar's own position otherwise.
    static func location(of error: ConditionSyntaxError, in rule: PolicyDocument.Rule) -> SourceLocation {
        guard let position = rule.conditionPosition, let condition = rule.condition else { return rule.location }
        return position.location(ofOffset: error.offset, in: condition)
    }

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

    /// The budgets section, for the ledger that enforces it.
    public var budgets: PolicyDocument.Budgets { document.budgets }

    /// Redacts `value` with the policy's `logging.redact` classes.
    public func redact(_ value: JSONValue) -> JSONValue { redactor.redact(value) }
}
