import JSON

/// One change to the replicated state, as the runtime proposes it. Encoded with
/// ``CommandEnvelope`` (format version, the leader's time stamp, the command); every node
/// applies the same commands in the same order (``StateMachine/apply(_:)``).
public enum Command: Sendable, Hashable {
    /// The leader's empty entry after an election (Raft appends one itself with empty data;
    /// this is the explicit form).
    case noop
    case createTenant(id: String, name: String, actor: String)
    /// An agent (its id unique in the cluster) with its first API key's SHA-256.
    case createAgent(tenant: String, agent: String, keyHash: [UInt8], actor: String)
    case addAgentKey(agent: String, keyHash: [UInt8], actor: String)
    case revokeAgentKey(agent: String, keyHash: [UInt8], actor: String)
    case setAgentEnabled(agent: String, enabled: Bool, actor: String)
    /// An operator: its token's SHA-256, role, tenant scope (nil: the whole cluster) and expiry
    /// (milliseconds since the epoch; 0 never expires).
    case createPrincipal(
        id: String, tokenHash: [UInt8], role: Role, tenant: String?, expiresAtMillis: UInt64, actor: String)
    case revokePrincipal(id: String, actor: String)
    /// Ends every console session of a principal (logout): its session generation grows, and
    /// sessions issued under an older one are refused on every node. `kind` tells apart who
    /// logged in under that id (the API layer's: a principal, the configured bootstrap
    /// administrator, `--dev`); the state only counts.
    case endSessions(principal: String, kind: UInt8, actor: String)
    /// Adds (`member: true`) or removes a principal from an approver group.
    case setGroupMember(group: String, principal: String, member: Bool, actor: String)
    /// A new policy version for an agent (YAML text), enforced or in shadow.
    case publishPolicy(agent: String, yaml: String, mode: PolicyMode, actor: String)
    /// Re-publishes an older version's text as a new version (rollback).
    case activatePolicy(agent: String, version: UInt32, mode: PolicyMode, actor: String)
    /// Sets the mode of the agent's latest version: `enforce` promotes a shadow version;
    /// `shadow` puts the latest version in shadow, enforcing the one enforced before it.
    case setPolicyMode(agent: String, version: UInt32, mode: PolicyMode, actor: String)
    case decide(DecideCommand)
    /// An approver's vote on an approval.
    case vote(approval: UInt64, principal: String, approve: Bool, comment: String?)
    /// A pending approval bound to a parameters hash, created directly (the MVP's
    /// `POST /v1/approvals`), with its redacted payload (JSON text).
    case requestApproval(
        agent: String, tool: String, parametersHash: [UInt8], redactedPayload: String, group: String,
        requiredApprovals: UInt8, ttlSeconds: UInt32, actor: String)
    /// A cluster member's addresses (`host:port` of its peer transport and of its HTTP API),
    /// replicated so every node can reach a node added later, across restarts; empty strings
    /// forget the member (``MemberAddress``).
    case setMemberAddress(node: UInt64, peer: String, http: String, actor: String)
    /// Denials an SDK decided locally, recorded in the audit (``LocalDenialReport``).
    case reportLocalDenials(LocalDenialReport)
    /// Moves the cluster to apply rules `version` from this entry on (``RulesVersion``): the
    /// leader proposes it once every member runs a build that implements it.
    case setRulesVersion(version: UInt32, actor: String)
}

/// A principal's role.
public enum Role: UInt8, Sendable, Hashable, CaseIterable {
    case admin = 1
    case approver = 2
    case viewer = 3

    public var name: String {
        switch self {
        case .admin: return "admin"
        case .approver: return "approver"
        case .viewer: return "viewer"
        }
    }
}

/// Whether a policy version decides (`enforce`) or only reports what it would decide
/// (`shadow`), the previous enforced version deciding meanwhile.
public enum PolicyMode: UInt8, Sendable, Hashable, CaseIterable {
    case enforce = 1
    case shadow = 2

    public var name: String { self == .enforce ? "enforce" : "shadow" }
}

/// The main path: decide one request of an agent.
public struct DecideCommand: Sendable, Hashable {
    /// The client's request id (idempotency key), unique per agent.
    public var requestID: String
    public var agent: String
    public var request: DecisionRequest
    /// The node that received the request (for the audit record).
    public var node: UInt64

    public init(requestID: String, agent: String, request: DecisionRequest, node: UInt64) {
        self.requestID = requestID
        self.agent = agent
        self.request = request
        self.node = node
    }
}

/// What the agent asks to do.
public enum DecisionRequest: Sendable, Hashable {
    /// A tool call: its parameters (a JSON object), chain depth and the caller's cost estimate.
    case tool(name: String, parameters: JSONValue, chainDepth: UInt32, costUSD: JSONNumber?)
    case http(method: String, url: String, bodyBytes: UInt64?, chainDepth: UInt32?)
}
