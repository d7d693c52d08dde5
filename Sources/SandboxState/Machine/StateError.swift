/// Why an entry was refused. The same on every node (it depends only on the entry and the
/// state); a refused entry changes nothing.
public enum StateError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case tenantExists(String)
    case unknownTenant(String)
    case agentExists(String)
    case unknownAgent(String)
    case keyInUse
    case unknownKey(agent: String)
    case tooManyKeys(agent: String, limit: Int)
    case principalExists(String)
    case unknownPrincipal(String)
    case tokenInUse
    case invalidPolicy(agent: String, message: String)
    case unknownPolicyVersion(agent: String, version: UInt32)
    case notLatestVersion(agent: String, version: UInt32, latest: UInt32)
    case unknownApproval(UInt64)
    case approvalClosed(id: UInt64, status: String)
    case notAllowedToVote(principal: String, why: String)
    case alreadyVoted(principal: String, approval: UInt64)
    case policyTooMany(agent: String)
    /// Shadow mode for the enforced version (it would enforce an older one).
    case wouldLowerVersion(agent: String, version: UInt32)
    /// `scope` names the agent or tenant at its cap of open approvals.
    case tooManyOpenApprovals(scope: String, limit: Int)
    /// A rules version not above the cluster's (``RulesVersion``: versions only grow).
    case rulesVersionNotHigher(asked: UInt32, current: UInt32)
    /// A command of newer rules than the cluster has moved to (``Command/introducedInRules``).
    case rulesVersionTooLow(needed: UInt32, current: UInt32)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed command: \(why)"
        case .tenantExists(let id): return "tenant `\(id)` already exists"
        case .unknownTenant(let id): return "no tenant `\(id)`"
        case .agentExists(let id): return "agent `\(id)` already exists (agent ids are unique in the cluster)"
        case .unknownAgent(let id): return "no agent `\(id)`"
        case .keyInUse: return "this API key is already in use (by this or another agent); generate a new one"
        case .unknownKey(let agent): return "agent `\(agent)` has no such key"
        case .tooManyKeys(let agent, let limit):
            return "agent `\(agent)` already has \(limit) keys; revoke one before adding another"
        case .principalExists(let id): return "principal `\(id)` already exists"
        case .unknownPrincipal(let id): return "no principal `\(id)`"
        case .tokenInUse: return "this token is already in use; generate a new one"
        case .invalidPolicy(let agent, let message): return "policy for `\(agent)` refused: \(message)"
        case .unknownPolicyVersion(let agent, let version): return "agent `\(agent)` has no policy version \(version)"
        case .notLatestVersion(let agent, let version, let latest):
            return
                "version \(version) of `\(agent)`'s policy is not the latest (\(latest)); activate it as a new version"
        case .unknownApproval(let id): return "no approval \(id)"
        case .approvalClosed(let id, let status): return "approval \(id) is already \(status); votes are closed"
        case .notAllowedToVote(let principal, let why): return "`\(principal)` may not vote on this approval: \(why)"
        case .alreadyVoted(let principal, let approval): return "`\(principal)` already voted on approval \(approval)"
        case .policyTooMany(let agent): return "agent `\(agent)` has reached the highest policy version number"
        case .wouldLowerVersion(let agent, let version):
            return
                "version \(version) of `\(agent)`'s policy is enforced; putting it in shadow would serve an older "
                + "version, which clients refuse: roll back (an older text as a new version) or publish a "
                + "candidate in shadow"
        case .tooManyOpenApprovals(let scope, let limit):
            return
                "\(scope) already has \(limit) open approvals: approvers must resolve some (or they expire) before another is opened"
        case .rulesVersionNotHigher(let asked, let current):
            return "the cluster already runs apply rules version \(current); rules version \(asked) is not newer"
        case .rulesVersionTooLow(let needed, let current):
            return
                "this command needs apply rules version \(needed) and the cluster runs \(current): finish upgrading every "
                + "member (the leader moves the cluster on once all of them run a build that implements it)"
        }
    }
}
