import Hummingbird
import NIOCore
import SandboxCluster
import SandboxState

/// The API errors of the layers below: the cluster (proposals), the state machine (refused
/// commands) and Hummingbird's own (no route, body too large).
extension APIError {
    init(_ error: ClusterError) {
        switch error {
        case .invalid(let why): self = .badRequest("request refused: \(why)", code: "invalid_command")
        case .unknownOutcome:
            self = .unavailable(error.description, code: "outcome_unknown")
            outcomeUnknown = true
        case .notApplied: self = .unavailable(error.description, code: "not_applied")
        case .overloaded: self = .unavailable(error.description, code: "overloaded")
        case .stopped: self = .unavailable(error.description, code: "node_stopped")
        }
    }

    init(_ error: StateError) {
        let message = error.description
        switch error {
        case .unknownAgent: self = .notFound(message, code: "unknown_agent")
        case .unknownTenant: self = .notFound(message, code: "unknown_tenant")
        case .unknownPrincipal: self = .notFound(message, code: "unknown_principal")
        case .unknownApproval: self = .notFound(message, code: "unknown_approval")
        case .unknownPolicyVersion: self = .notFound(message, code: "unknown_policy_version")
        case .unknownKey: self = .notFound(message, code: "unknown_key")
        case .tenantExists: self = .conflict(message, code: "tenant_exists")
        case .agentExists: self = .conflict(message, code: "agent_exists")
        case .principalExists: self = .conflict(message, code: "principal_exists")
        case .keyInUse: self = .conflict(message, code: "key_in_use")
        case .tokenInUse: self = .conflict(message, code: "token_in_use")
        case .alreadyVoted: self = .conflict(message, code: "already_voted")
        case .approvalClosed: self = .conflict(message, code: "approval_closed")
        case .notLatestVersion: self = .conflict(message, code: "not_latest_version")
        case .notAllowedToVote: self = .forbidden(message, code: "not_allowed_to_vote")
        case .invalidPolicy: self = .badRequest(message, code: "invalid_policy")
        case .tooManyKeys: self = .conflict(message, code: "too_many_keys")
        case .policyTooMany: self = .conflict(message, code: "too_many_policy_versions")
        case .tooManyOpenApprovals: self = .conflict(message, code: "too_many_open_approvals")
        case .wouldLowerVersion: self = .conflict(message, code: "would_lower_version")
        case .rulesVersionNotHigher: self = .conflict(message, code: "rules_version_not_higher")
        case .rulesVersionTooLow: self = .conflict(message, code: "rules_version_too_low")
        case .malformed: self = .badRequest(message, code: "malformed_command")
        }
    }

    /// Any error a route or Hummingbird threw, as an API error (unknown ones as 500).
    init(any error: any Error) {
        switch error {
        case let api as APIError: self = api
        case let cluster as ClusterError: self.init(cluster)
        case let state as StateError: self.init(state)
        case let http as HTTPError:
            self.init(http.status, code: Self.code(for: http.status), http.body ?? Self.reason(for: http.status))
        case is NIOTooManyBytesError:
            self = .tooLarge("the request body is too large")
        case let other as any HTTPResponseError:
            self.init(other.status, code: Self.code(for: other.status), Self.reason(for: other.status))
        default:
            self = .internalError("internal error: \(error)")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .conflict: return "conflict"
        case .contentTooLarge: return "too_large"
        case .tooManyRequests: return "rate_limited"
        case .serviceUnavailable: return "unavailable"
        default: return status.code >= 500 ? "internal" : "http_\(status.code)"
        }
    }

    private static func reason(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: return "no such route; see docs/api.md"
        case .contentTooLarge: return "the request body is too large"
        default: return status.reasonPhrase
        }
    }
}
