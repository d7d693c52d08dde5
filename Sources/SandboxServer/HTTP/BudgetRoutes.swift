import Foundation
import Hummingbird
import JSON
import SandboxState

/// `GET /v1/budgets/{agent_id}`: the agent's spending today (UTC) and the limits of its
/// enforced policy, read after a linearizable read point. The agent's own key, or a viewer and
/// above of its tenant.
enum BudgetRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/v1/budgets/:agent_id") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let agent = context.parameters.get("agent_id") ?? ""
            let record = try await node.visibleAgent(agent, for: caller)
            try ApprovalRoutes.requireReader(caller, agent: record.id, tenant: record.tenant)
            let now = ApprovalRoutes.nowMillis()
            guard let budget = try node.readState({ try $0.budget(of: record.id, atMillis: now) }) else {
                throw APIError.notFound("no agent `\(agent.prefix(256))`", code: "unknown_agent")
            }
            return JSONResponses.json(json(budget, agent: record.id))
        }
    }

    static func json(_ budget: BudgetStatus, agent: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "agent_id": .string(agent), "day": .string(date(day: budget.day)),
            "requests_today": JSONResponses.number(budget.requests),
            "spent_usd": JSONResponses.dollars(budget.microdollars),
            "max_requests_per_day": budget.maxRequests.map(JSONResponses.number) ?? .null,
            "max_usd_per_day": budget.maxMicrodollars.map(JSONResponses.dollars) ?? .null,
            "requests_left": budget.requestsLeft.map(JSONResponses.number) ?? .null,
            "left_usd": budget.microdollarsLeft.map(JSONResponses.dollars) ?? .null,
        ]
        body["limited"] = .bool(budget.maxRequests != nil || budget.maxMicrodollars != nil)
        return .object(body)
    }

    /// `2026-11-30` for a day number (days since 1970-01-01, UTC).
    static func date(day: UInt32) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(day) * 86_400))
    }
}
