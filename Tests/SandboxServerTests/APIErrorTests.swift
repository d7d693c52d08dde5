import Hummingbird
import JSON
import SandboxCluster
import SandboxState
import Testing

@testable import SandboxServer

/// The API's error shape, and who may do what (roles and tenant scopes).
@Suite struct APIErrorTests {
    @Test func anErrorIsAnObjectWithCodeMessageRetryableAndRetryAfter() throws {
        let refused = APIError.badRequest("expected {\"name\"}", code: "bad_body").body.member("error")
        #expect(refused?.member("code") == .string("bad_body"))
        #expect(refused?.member("message") == .string("expected {\"name\"}"))
        #expect(refused?.member("retryable") == .bool(false))
        #expect(refused?.member("outcome_unknown") == nil)

        let busy = APIError.rateLimited(retryAfter: 7, "too many failed logins")
        #expect(busy.status == .tooManyRequests)
        #expect(busy.response.headers[.retryAfter] == "7")
        #expect(busy.body.member("error")?.member("retryable") == .bool(true))
    }

    @Test func clusterAndStateErrorsKeepTheirMeaning() throws {
        let unknown = APIError(ClusterError.unknownOutcome("leader lost"))
        #expect(unknown.status == .serviceUnavailable)
        #expect(unknown.response.headers[.retryAfter] == "1")
        #expect(unknown.body.member("error")?.member("outcome_unknown") == .bool(true))
        #expect(APIError(ClusterError.invalid("too big")).status == .badRequest)
        #expect(APIError(StateError.unknownAgent("x")).status == .notFound)
        #expect(APIError(StateError.alreadyVoted(principal: "ann", approval: 3)).code == "already_voted")
        #expect(APIError(StateError.notAllowedToVote(principal: "v", why: "viewer")).status == .forbidden)
        #expect(APIError(any: HTTPError(.contentTooLarge)).code == "too_large")
    }

    func principal(_ role: Role, tenant: String?) -> Caller {
        .principal(
            PrincipalRecord(
                id: "p", tokenHash: [], role: role, tenant: tenant, expiresAtMillis: 0, revoked: false,
                createdMillis: 0))
    }

    func allowed(_ caller: Caller, _ role: Role, _ tenant: String?) -> Bool {
        do {
            try caller.require(role, tenant: tenant)
            return true
        } catch {
            #expect(error.status == .forbidden)
            return false
        }
    }

    @Test func rolesAndTenantScopes() {
        let clusterAdmin = principal(.admin, tenant: nil)
        #expect(allowed(clusterAdmin, .admin, nil) && allowed(clusterAdmin, .admin, "acme"))
        #expect(allowed(clusterAdmin, .viewer, "acme"))
        #expect(!allowed(clusterAdmin, .approver, "acme"), "an administrator does not vote")

        let acmeAdmin = principal(.admin, tenant: "acme")
        #expect(allowed(acmeAdmin, .admin, "acme"))
        #expect(!allowed(acmeAdmin, .admin, "globex"), "another tenant")
        #expect(!allowed(acmeAdmin, .admin, nil), "a cluster-wide action")

        let viewer = principal(.viewer, tenant: "acme")
        #expect(allowed(viewer, .viewer, "acme"))
        #expect(!allowed(viewer, .approver, "acme") && !allowed(viewer, .admin, "acme"))

        let approver = principal(.approver, tenant: nil)
        #expect(allowed(approver, .approver, "acme") && !allowed(approver, .admin, "acme"))

        #expect(allowed(.dev, .admin, nil) && allowed(.dev, .approver, "acme"))
        #expect(Caller.dev.actor == "dev")
    }

    @Test func anAgentActsOnlyForItself() throws {
        let sales = AgentRecord(id: "sales", tenant: "acme", enabled: true, keyHashes: [], createdMillis: 0)
        let other = AgentRecord(id: "other", tenant: "acme", enabled: true, keyHashes: [], createdMillis: 0)
        try Caller.agent(sales).require(.admin, orAgent: sales)
        #expect(throws: APIError.self) { try Caller.agent(sales).require(.admin, orAgent: other) }
        #expect(throws: APIError.self) { try Caller.agent(sales).require(.viewer, tenant: "acme") }
        try principal(.admin, tenant: "acme").require(.admin, orAgent: other)
        #expect(throws: APIError.self) { try principal(.admin, tenant: "globex").require(.admin, orAgent: other) }
        #expect(Caller.agent(sales).actor == "agent:sales")
    }
}
