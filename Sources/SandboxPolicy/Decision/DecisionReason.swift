import JSON
import JSONSchema
import NetworkAddress

/// Why a decision came out as it did. Kept structured (and cheap to build); ``description``
/// renders the sentence a person reads and ``code`` a stable name for machines.
public enum DecisionReason: Sendable, Hashable {
    case toolDeniedByPattern(tool: String, pattern: String)
    /// `condition` is the rule's condition as written; `outcome` what it evaluated to.
    case toolDeniedByRule(tool: String, rule: String, reason: String?, condition: String?, outcome: ConditionOutcome)
    case toolNotAllowed(tool: String)
    case toolAllowedByDefault(tool: String)
    case toolNeedsApprovalByDefault(tool: String)
    case schemaViolation(tool: String, errors: [ValidationError])
    case chainTooDeep(depth: Int, limit: Int)
    case costOverLimit(cost: JSONNumber, limit: JSONNumber, budget: String)
    case approvalRequired(tool: String, rule: String, reason: String?, condition: String?, outcome: ConditionOutcome)
    case toolAllowedByPattern(tool: String, pattern: String)
    case toolAllowedByRule(tool: String, rule: String, reason: String?)
    case malformedURL(URLRejection)
    case schemeNotAllowed(scheme: String, allowed: [String])
    case portNotAllowed(port: Int?, allowed: [Int])
    case methodNotAllowed(method: String, allowed: [String])
    case bodyTooLarge(bytes: Int, limit: Int)
    case ambiguousIPv4(host: HostName)
    case addressDenied(address: IPAddress, block: CIDRBlock)
    case addressAllowed(address: IPAddress, block: CIDRBlock)
    case specialAddress(address: IPAddress, kind: AddressClass)
    case internalHostName(host: String, why: String)
    case domainDenied(host: String, pattern: String)
    case domainAllowed(host: String, pattern: String)
    case hostNotAllowed(host: HostName)
    case hostAllowedByDefault(host: HostName)
    case resolvedAddressAllowed(address: IPAddress)
    /// A cloud metadata endpoint (`host` is its address or name), refused without
    /// `network.allow_metadata: true`.
    case metadataDenied(host: String)
    case metadataAllowed(host: String)

    /// A stable snake_case name for the kind of reason (`tool_denied_by_pattern`), for audit
    /// records, metrics and API error codes.
    public var code: String {
        switch self {
        case .toolDeniedByPattern: return "tool_denied_by_pattern"
        case .toolDeniedByRule: return "tool_denied_by_rule"
        case .toolNotAllowed: return "tool_not_allowed"
        case .toolAllowedByDefault: return "tool_allowed_by_default"
        case .toolNeedsApprovalByDefault: return "tool_needs_approval_by_default"
        case .schemaViolation: return "schema_violation"
        case .chainTooDeep: return "chain_too_deep"
        case .costOverLimit: return "cost_over_limit"
        case .approvalRequired: return "approval_required"
        case .toolAllowedByPattern: return "tool_allowed_by_pattern"
        case .toolAllowedByRule: return "tool_allowed_by_rule"
        case .malformedURL: return "malformed_url"
        case .schemeNotAllowed: return "scheme_not_allowed"
        case .portNotAllowed: return "port_not_allowed"
        case .methodNotAllowed: return "method_not_allowed"
        case .bodyTooLarge: return "body_too_large"
        case .ambiguousIPv4: return "ambiguous_ipv4"
        case .addressDenied: return "address_denied"
        case .addressAllowed: return "address_allowed"
        case .specialAddress: return "special_address"
        case .internalHostName: return "internal_host_name"
        case .domainDenied: return "domain_denied"
        case .domainAllowed: return "domain_allowed"
        case .hostNotAllowed: return "host_not_allowed"
        case .hostAllowedByDefault: return "host_allowed_by_default"
        case .resolvedAddressAllowed: return "resolved_address_allowed"
        case .metadataDenied: return "metadata_denied"
        case .metadataAllowed: return "metadata_allowed"
        }
    }
}
