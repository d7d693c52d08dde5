import JSON
import Raft
import SandboxState

/// A state machine on in-memory storage with a log of its own: commands go in as entries with
/// growing indices and the given entry time.
final class Harness {
    let storage: MemoryStateStorage
    let machine: StateMachine
    var nextIndex: UInt64
    var timeMillis: UInt64
    /// Every entry applied, for replaying elsewhere.
    private(set) var log: [Entry] = []

    init(
        storage: MemoryStateStorage = MemoryStateStorage(), limits: StateLimits = StateLimits(), time: UInt64 = day0,
        supportedRulesVersion: UInt32 = RulesVersion.supported
    ) throws {
        self.storage = storage
        machine = try StateMachine(storage: storage, limits: limits, supportedRulesVersion: supportedRulesVersion)
        nextIndex = try storage.appliedIndex() + 1
        timeMillis = time
    }

    /// 2026-11-30 00:00 UTC.
    static let day0: UInt64 = 1_795_996_800_000

    func entry(_ command: Command) -> Entry {
        entry(bytes: CommandEnvelope.encode(command, timeMillis: timeMillis))
    }

    func entry(bytes: [UInt8]) -> Entry {
        defer { nextIndex += 1 }
        return Entry(term: 1, index: nextIndex, data: bytes)
    }

    @discardableResult
    func apply(_ entries: [Entry]) throws -> [EntryResult] {
        log += entries
        return try machine.apply(entries)
    }

    @discardableResult
    func apply(_ command: Command) throws -> EntryResult { try apply([entry(command)])[0] }

    /// Applies a command that must succeed.
    @discardableResult
    func must(_ command: Command) throws -> EntryResult {
        let result = try apply(command)
        if let error = result.error { throw HarnessError("\(command) refused: \(error)") }
        return result
    }

    func decide(
        _ agent: String, _ requestID: String, tool: String, _ parameters: JSONValue = [:], cost: String? = nil,
        depth: UInt32 = 0
    ) throws -> DecisionAnswer {
        let request = DecisionRequest.tool(
            name: tool, parameters: parameters, chainDepth: depth, costUSD: cost.flatMap { JSONNumber(literal: $0) })
        let result = try apply(.decide(DecideCommand(requestID: requestID, agent: agent, request: request, node: 1)))
        guard let answer = result.decision else {
            throw HarnessError("decide refused: \(String(describing: result.error))")
        }
        return answer
    }

    var queries: StateQueries { StateQueries(storage) }

    // MARK: setup helpers

    static func keyHash(_ name: String) -> [UInt8] { SHA256.hash(Array("key-\(name)".utf8)) }
    static func tokenHash(_ name: String) -> [UInt8] { SHA256.hash(Array("token-\(name)".utf8)) }

    /// A tenant `acme`, and an agent with a policy.
    func agent(_ id: String, policy: String, tenant: String = "acme") throws {
        if try queries.tenant(tenant) == nil {
            try must(.createTenant(id: tenant, name: tenant.uppercased(), actor: "admin"))
        }
        try must(.createAgent(tenant: tenant, agent: id, keyHash: Harness.keyHash(id), actor: "admin"))
        try must(.publishPolicy(agent: id, yaml: policy, mode: .enforce, actor: "admin"))
    }

    func approver(_ id: String, groups: [String], tenant: String? = nil, role: Role = .approver) throws {
        try must(
            .createPrincipal(
                id: id, tokenHash: Harness.tokenHash(id), role: role, tenant: tenant, expiresAtMillis: 0, actor: "admin"
            ))
        for group in groups { try must(.setGroupMember(group: group, principal: id, member: true, actor: "admin")) }
    }

    func vote(_ approval: UInt64, _ principal: String, approve: Bool = true) throws -> EntryResult {
        try apply(.vote(approval: approval, principal: principal, approve: approve, comment: nil))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Policies {
    /// Three-field schema, a budget, approvals for refunds over 100 (2 of finance) and email
    /// outside the company (1 of human).
    static let standard = """
        agent: bot
        tools:
          allow: ["crm.read", "email.send", "payments.refund"]
          deny: ["prod_db.*"]
          schemas:
            crm.read:
              type: object
              required: [customer, fields, limit]
              additionalProperties: false
              properties: {customer: {type: string}, fields: {type: array}, limit: {type: integer}}
          approvals:
            - tool: email.send
              condition: "recipient not endswith('@company.com')"
              require: human
        rules:
          - name: big-refunds
            match: payments.refund
            where: "amount > 100"
            action: approval
            required_approvals: 2
            group: finance
            approval_ttl: 30m
        budgets:
          max_requests_per_day: 5
          max_usd_per_day: 1.5
        logging:
          redact: [EMAIL]
        """

    static let allowAll = """
        tools:
          allow: ["*"]
        """
}
