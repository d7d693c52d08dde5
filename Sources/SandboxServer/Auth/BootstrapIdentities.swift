import Foundation
import Logging
import SandboxState

/// The identities a fresh cluster starts with, created once through the log by whichever node
/// leads (a second proposal is refused by the state as `principalExists`, so exactly one
/// applies, and only its proposer prints anything):
/// - without `--admin-token`, a generated bootstrap administrator: its token's hash is
///   replicated as principal `bootstrap-admin`, and the token itself is logged once, at the
///   moment it is created (it is never stored; lose it and configure `--admin-token`);
/// - with `--dev`, the approver `dev` in group `human`, whom tokenless loopback calls act as.
enum BootstrapIdentities {
    static let generatedAdminID = "bootstrap-admin"
    static let devGroup = "human"

    /// Runs until the identities exist (checking every 200 ms while this node leads), or until
    /// cancelled.
    static func ensure(on node: SandboxNode, logger: Logger) async {
        while !Task.isCancelled {
            if await ensureOnce(on: node, logger: logger) { return }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// True when nothing is left to create.
    private static func ensureOnce(on node: SandboxNode, logger: Logger) async -> Bool {
        let status = node.status
        guard status.role == .leader, status.appliedIndex >= status.commitIndex else { return false }
        do {
            if node.config.adminToken == nil, !node.config.dev,
                try node.queries.principal(generatedAdminID) == nil
            {
                try await createAdmin(on: node, logger: logger)
            }
            if node.config.dev, !devApproverExists(node) {
                try await createDevApprover(on: node, logger: logger)
            }
            return true
        } catch {
            logger.debug("creating the bootstrap identities failed; retrying", metadata: ["error": "\(error)"])
            return false
        }
    }

    private static func createAdmin(on node: SandboxNode, logger: Logger) async throws {
        let token = randomToken()
        _ = try await node.propose(
            .createPrincipal(
                id: generatedAdminID, tokenHash: SHA256.hash(Array(token.utf8)), role: .admin, tenant: nil,
                expiresAtMillis: 0, actor: "sandboxd"))
        logger.warning(
            """
            generated the bootstrap admin token (shown once, never stored): keep it, create named tokens with it, \
            or set --admin-token (SANDBOX_ADMIN_TOKEN) instead
            """,
            metadata: ["principal": "\(generatedAdminID)", "token": "\(token)"])
    }

    private static func createDevApprover(on node: SandboxNode, logger: Logger) async throws {
        if try node.queries.principal(Caller.devPrincipal) == nil {
            // Its token is thrown away: `dev` is reached only by tokenless loopback calls.
            _ = try await node.propose(
                .createPrincipal(
                    id: Caller.devPrincipal, tokenHash: SHA256.hash(Array(randomToken().utf8)), role: .approver,
                    tenant: nil, expiresAtMillis: 0, actor: "sandboxd"))
        }
        _ = try await node.propose(
            .setGroupMember(group: devGroup, principal: Caller.devPrincipal, member: true, actor: "sandboxd"))
        logger.info("--dev: principal `dev` (approver, group `human`) created for tokenless loopback calls")
    }

    /// Whether `--dev`'s approver is in place (`/readyz` waits for it).
    static func devApproverExists(_ node: SandboxNode) -> Bool {
        (try? node.queries.isMember(Caller.devPrincipal, of: devGroup)) == true
    }

    /// 32 random bytes in hex, prefixed so a leaked token is recognisable in a scan.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0 ... .max, using: &generator) }
        return "sbx_" + bytes.map { String(format: "%02x", $0) }.joined()
    }
}
