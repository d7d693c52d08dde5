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

    let denyPatterns: [CompiledToolPattern]
    let allowPatterns: [CompiledToolPattern]
    let denyRules: [CompiledRule]
    let allowRules: [CompiledRule]
    let approvalRules: [CompiledRule]
    let schemas: [CompiledSchemaEntry]
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

    /// Compiles a document; every error found (a bad condition, schema or network entry) is
    /// reported together in the ``PolicyError``.
    public init(
        _ document: PolicyDocument, resolveSchema: (String) throws -> JSONValue = CompiledPolicy.noSchemaFiles
    ) throws(PolicyError) {
        var diagnostics = document.warnings
        let defaults = document.defaults
        defaultApproval = ApprovalRequirement(
            requiredApprovals: defaults.requiredApprovals, group: defaults.approvalGroup,
            ttlSeconds: defaults.approvalTTLSeconds)
        denyPatterns = CompiledToolPattern.list(document.tools.deny, "tools.deny")
        allowPatterns = CompiledToolPattern.list(document.tools.allow, "tools.allow")
        let rules = (document.tools.approvals + document.rules).map {
            CompiledRule($0, defaults: defaults, diagnostics: &diagnostics)
        }
        denyRules = rules.filter { $0.action == .deny }
        allowRules = rules.filter { $0.action == .allow }
        approvalRules = rules.filter { $0.action == .approval }
        schemas = CompiledSchemaEntry.list(document.tools.schemas, resolveSchema, &diagnostics)
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

    /// The budgets section, for the ledger that enforces it.
    public var budgets: PolicyDocument.Budgets { document.budgets }

    /// Redacts `value` with the policy's `logging.redact` classes.
    public func redact(_ value: JSONValue) -> JSONValue { redactor.redact(value) }
}
