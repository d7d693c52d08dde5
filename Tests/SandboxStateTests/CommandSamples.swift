import JSON
import SandboxState
import TestSupport

/// Commands for the encoding and determinism tests.
enum CommandSamples {
    /// One of every command, with every optional field both present and absent somewhere.
    static let all: [Command] = [
        .noop,
        .createTenant(id: "acme", name: "Acme Corp", actor: "admin"),
        .createAgent(tenant: "acme", agent: "bot", keyHash: Harness.keyHash("bot"), actor: "admin"),
        .addAgentKey(agent: "bot", keyHash: Harness.keyHash("bot2"), actor: "admin"),
        .revokeAgentKey(agent: "bot", keyHash: Harness.keyHash("bot"), actor: "admin"),
        .setAgentEnabled(agent: "bot", enabled: false, actor: "admin"),
        .createPrincipal(
            id: "ann", tokenHash: Harness.tokenHash("ann"), role: .approver, tenant: "acme",
            expiresAtMillis: 1_800_000_000_000, actor: "admin"),
        .createPrincipal(
            id: "root", tokenHash: Harness.tokenHash("root"), role: .admin, tenant: nil, expiresAtMillis: 0,
            actor: "bootstrap"),
        .revokePrincipal(id: "ann", actor: "admin"),
        .setGroupMember(group: "finance", principal: "ann", member: true, actor: "admin"),
        .endSessions(principal: "ann", kind: 1, actor: "ann"),
        .publishPolicy(agent: "bot", yaml: Policies.standard, mode: .shadow, actor: "ops"),
        .activatePolicy(agent: "bot", version: 1, mode: .enforce, actor: "ops"),
        .setPolicyMode(agent: "bot", version: 2, mode: .enforce, actor: "ops"),
        .decide(
            DecideCommand(
                requestID: "r-1", agent: "bot",
                request: .tool(
                    name: "crm.read", parameters: ["customer": "c-1", "nested": ["a": [1, 2.5, nil, true]]],
                    chainDepth: 2, costUSD: JSONNumber(literal: "0.0075")), node: 3)),
        .decide(
            DecideCommand(
                requestID: "r-2", agent: "bot", request: .tool(name: "x", parameters: [:], chainDepth: 0, costUSD: nil),
                node: 1)),
        .decide(
            DecideCommand(
                requestID: "r-3", agent: "bot",
                request: .http(method: "POST", url: "https://api.company.com/x", bodyBytes: 512, chainDepth: 1),
                node: 2)),
        .decide(
            DecideCommand(
                requestID: "r-4", agent: "bot",
                request: .http(method: "GET", url: "https://a.b", bodyBytes: nil, chainDepth: nil),
                node: 2)),
        .vote(approval: 42, principal: "ann", approve: true, comment: "ok"),
        .vote(approval: 43, principal: "bob", approve: false, comment: nil),
        .requestApproval(
            agent: "bot", tool: "email.send", parametersHash: SHA256.hash([1, 2, 3]), redactedPayload: "{\"a\":1}",
            group: "human", requiredApprovals: 2, ttlSeconds: 3600, actor: "bot"),
        .reportLocalDenials(
            LocalDenialReport(
                agent: "bot", node: 2,
                denials: [
                    LocalDenial(
                        requestID: "l-1",
                        request: .tool(name: "prod_db.drop", parameters: ["a": 1], chainDepth: 1, costUSD: nil),
                        rule: "tools.deny", reason: "denied", policyVersion: 3),
                    LocalDenial(
                        requestID: "l-2",
                        request: .http(method: "GET", url: "https://evil.example", bodyBytes: nil, chainDepth: nil),
                        rule: "network.deny", reason: "egress to `evil.example` is not allowed", policyVersion: 0),
                ])),
        .setRulesVersion(version: 2, actor: "cluster"),
    ]

    /// A random but meaningful command stream: agents, policies, decides (with retries), votes
    /// on the approvals they create, policy changes.
    static func stream(seed: UInt64, count: Int) -> [Command] {
        var random = SeededGenerator(seed: seed)
        var commands: [Command] = [.createTenant(id: "acme", name: "Acme", actor: "admin")]
        let agents = ["a1", "a2", "a3"]
        for agent in agents {
            commands.append(.createAgent(tenant: "acme", agent: agent, keyHash: Harness.keyHash(agent), actor: "admin"))
            commands.append(.publishPolicy(agent: agent, yaml: Policies.standard, mode: .enforce, actor: "admin"))
        }
        for (voter, group) in [("ann", "finance"), ("bob", "finance"), ("hal", "human")] {
            commands.append(
                .createPrincipal(
                    id: voter, tokenHash: Harness.tokenHash(voter), role: .approver, tenant: nil, expiresAtMillis: 0,
                    actor: "admin"))
            commands.append(.setGroupMember(group: group, principal: voter, member: true, actor: "admin"))
        }
        while commands.count < count {
            let roll = random.below(100)
            if roll < 80 {
                let tool = random.pick(["crm.read", "payments.refund", "email.send"])
                let parameters: JSONValue =
                    tool == "crm.read"
                    ? ["customer": "c", "fields": [], "limit": 1]
                    : ["amount": .number(JSONNumber(random.pick([10, 500]))), "recipient": "x@evil.example"]
                commands.append(
                    .decide(
                        DecideCommand(
                            requestID: "r\(random.below(count / 2))", agent: random.pick(agents),
                            request: .tool(
                                name: tool, parameters: parameters, chainDepth: 0, costUSD: JSONNumber(literal: "0.1")),
                            node: UInt64(random.below(3) + 1))))
            } else if roll < 95 {
                commands.append(
                    .vote(
                        approval: UInt64(random.below(commands.count) + 1),
                        principal: random.pick(["ann", "bob", "hal"]),
                        approve: random.chance(80), comment: nil))
            } else if roll < 97 {
                let denial = LocalDenial(
                    requestID: "r\(random.below(count / 2))",
                    request: .tool(name: "prod_db.drop", parameters: [:], chainDepth: 0, costUSD: nil),
                    rule: "tools.deny", reason: "denied by the SDK", policyVersion: 1)
                commands.append(
                    .reportLocalDenials(
                        LocalDenialReport(
                            agent: random.pick(agents), node: UInt64(random.below(3) + 1), denials: [denial])))
            } else {
                commands.append(
                    .publishPolicy(
                        agent: random.pick(agents), yaml: random.pick([Policies.standard, Policies.allowAll]),
                        mode: random.chance(70) ? .enforce : .shadow, actor: "ops"))
            }
        }
        return commands
    }
}
