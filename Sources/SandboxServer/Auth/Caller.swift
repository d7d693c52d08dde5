import SandboxState

/// Who is calling, once authenticated (``SandboxNode/caller(for:context:)``).
enum Caller: Sendable {
    /// An agent by its API key (`X-Agent-Key`).
    case agent(AgentRecord)
    /// An operator by its bearer token (the bootstrap administrator included).
    case principal(PrincipalRecord)
    /// `sandboxd --dev` from loopback without a token: administrator and approver, principal
    /// id `dev`, in group `human`.
    case dev

    /// The principal id `--dev` acts as (an approver in group `human`).
    static let devPrincipal = "dev"

    /// Who did it, for the commands' `actor` fields and the audit: a principal's id, `dev`, or
    /// `agent:ID`.
    var actor: String {
        switch self {
        case .agent(let agent): return "agent:\(agent.id)"
        case .principal(let principal): return principal.id
        case .dev: return Self.devPrincipal
        }
    }

    /// Who holds a long poll, for the per-caller bound (``ApplyWatchers``): the agent (its
    /// keys together), the principal (its token), or `--dev`.
    var pollOwner: String {
        switch self {
        case .agent(let agent): return "agent\u{0}\(agent.id)"
        case .principal(let principal): return "principal\u{0}\(principal.id)"
        case .dev: return "dev"
        }
    }

    /// The tenant the caller is confined to; nil for the whole cluster.
    var tenant: String? {
        switch self {
        case .agent(let agent): return agent.tenant
        case .principal(let principal): return principal.tenant
        case .dev: return nil
        }
    }

    /// Refuses (403) unless the caller holds `role` for `tenant` (nil: a cluster-wide action,
    /// which needs a principal not scoped to a tenant). `admin` and `approver` include
    /// `viewer`; only an approver votes, only an administrator administers; `--dev` is both.
    /// Agents hold no role (the routes that accept an agent's key check it themselves).
    func require(_ role: Role, tenant: String?) throws(APIError) {
        switch self {
        case .dev:
            return
        case .agent(let agent):
            throw .forbidden("agent `\(agent.id)` cannot do this: it needs a \(role.name) token")
        case .principal(let principal):
            guard principal.role == role || role == .viewer else {
                throw .forbidden(
                    "principal `\(principal.id)` has role \(principal.role.name); this needs \(role.name)")
            }
            guard let scope = principal.tenant else { return }
            guard let tenant else {
                throw .forbidden(
                    "principal `\(principal.id)` is scoped to tenant `\(scope)`; this needs a cluster-wide token")
            }
            guard scope == tenant else {
                throw .forbidden(
                    "principal `\(principal.id)` is scoped to tenant `\(scope)`, not `\(tenant)`")
            }
        }
    }

    /// Refuses unless the caller is this agent itself (by its key) or holds `role` in the
    /// agent's tenant: what publishing an agent's own policy or asking for its own approval
    /// needs.
    func require(_ role: Role, orAgent agent: AgentRecord) throws(APIError) {
        if case .agent(let caller) = self {
            guard caller.id == agent.id else {
                throw .forbidden("agent `\(caller.id)` may act only for itself, not for `\(agent.id)`")
            }
            return
        }
        try require(role, tenant: agent.tenant)
    }
}
