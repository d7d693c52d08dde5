import JSON
import JSONSchema

/// A policy file as written, after syntax checks but before compilation: every section with the
/// source location of what it came from. ``PolicyDocument/init(yaml:)`` reads it;
/// ``CompiledPolicy`` compiles it; ``PolicyDiff`` compares two of them.
public struct PolicyDocument: Sendable {
    public var version: Int?
    public var agent: String?
    public var description: String?
    public var defaults: Defaults
    public var tools: Tools
    public var rules: [Rule]
    public var network: Network
    public var budgets: Budgets
    public var logging: Logging
    /// Warnings found while reading (an `api_key` in the file, a fail-open default, ...).
    public var warnings: [PolicyDiagnostic]

    /// What happens to a tool matched by no allow pattern or allow rule.
    public enum DefaultDecision: String, Sendable, Hashable, CaseIterable {
        case deny
        case approval
        case allow
    }

    public struct Defaults: Sendable, Hashable {
        public var decision: DefaultDecision = .deny
        /// Approvers asked for when a rule names none.
        public var approvalGroup: String = "human"
        public var requiredApprovals: Int = 1
        public var approvalTTLSeconds: Int = 3600
    }

    /// A pattern as written, with where.
    public struct Pattern: Sendable, Hashable {
        public var text: String
        public var location: SourceLocation
    }

    public struct Tools: Sendable {
        public var allow: [Pattern] = []
        public var deny: [Pattern] = []
        /// The `tools.approvals` list (each entry is an approval rule).
        public var approvals: [Rule] = []
        /// Parameter schemas by tool pattern, in file order.
        public var schemas: [SchemaEntry] = []
    }

    public struct SchemaEntry: Sendable {
        public enum Source: Sendable, Hashable {
            case inline(JSONValue)
            /// A path the host resolves (relative to the policy file, for the CLI).
            case reference(String)
        }

        public var tool: Pattern
        public var source: Source
    }

    public enum Action: String, Sendable, Hashable, CaseIterable {
        case allow
        case deny
        case approval
    }

    /// One rule: a tool pattern, an optional condition, an action.
    public struct Rule: Sendable, Hashable {
        public var name: String
        public var match: [Pattern]
        public var condition: String?
        public var conditionLocation: SourceLocation? { conditionPosition?.start }
        /// How the condition's characters map onto the file (for error positions).
        var conditionPosition: ConditionPosition?
        public var action: Action
        public var requiredApprovals: Int?
        public var approvalGroup: String?
        public var approvalTTLSeconds: Int?
        public var reason: String?
        public var location: SourceLocation
    }

    public struct Network: Sendable, Hashable {
        /// Whether `network` appeared at all.
        public var isPresent = false
        public var denyAllOthers = true
        public var allowDomains: [Pattern] = []
        public var denyDomains: [Pattern] = []
        public var schemes: [String] = ["https", "http"]
        /// nil: the default port of each allowed scheme.
        public var ports: [Int]? = nil
        public var allowCIDRs: [Pattern] = []
        public var denyCIDRs: [Pattern] = []
        /// nil: any method.
        public var methods: [String]? = nil
        public var maxBodyBytes: Int? = nil
        /// Whether cloud metadata endpoints may be reached. No other entry (however broad a
        /// CIDR block, whichever domain) allows them.
        public var allowMetadata = false
    }

    public struct Budgets: Sendable, Hashable {
        public var maxRequestsPerDay: Int? = nil
        public var maxUSDPerDay: JSONNumber? = nil
        public var maxUSDPerRequest: JSONNumber? = nil
        public var maxChainDepth: Int? = nil
    }

    public struct Logging: Sendable, Hashable {
        public var sampleRate: Double = 1
        public var redact: [RedactionClass] = []
    }
}
