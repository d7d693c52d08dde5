import Foundation
import Hummingbird
import SandboxPolicy
import SandboxState

/// `/console`: per agent, what its enforced policy decides for the tools and domains it names,
/// today's spend against the limits, and for the whole view decisions per minute and denials
/// by reason over the last hour, and the cluster's health.
extension ConsoleWeb {
    static func dashboard(_ request: Request, _ node: SandboxNode, _ viewer: Viewer) async throws -> Page {
        let now = ApprovalRoutes.nowMillis()
        let agents = try ConsoleData.agents(viewer.caller, node).map { agent throws(APIError) in
            try agentCard(agent, node, now)
        }
        let activity = try await HourActivity.of(viewer.caller, node, nowMillis: now)
        let (chart, reasons) = (activity.chart, activity.reasons)
        let status = node.status
        let data: [String: Any] = [
            "agents": agents, "noAgents": agents.isEmpty, "chart": chart.svg,
            "reasons": reasons.sorted { $0.value > $1.value || $0.value == $1.value && $0.key < $1.key }.prefix(10).map
            {
                ["rule": $0.key, "count": $0.value] as [String: Any]
            },
            "members": status.membership.voters.count + status.membership.learners.count,
            "leader": status.leader, "node": status.node, "role": "\(status.role)", "term": status.term,
            "lag": status.commitIndex &- min(status.commitIndex, status.appliedIndex),
        ]
        return Page(title: "Dashboard", tab: "dashboard", body: ConsoleTemplates.render("dashboard", data))
    }

    /// One agent's card: tiles for the tools and domains its policy names, the budget meters.
    static func agentCard(_ agent: AgentRecord, _ node: SandboxNode, _ now: UInt64) throws(APIError) -> [String: Any] {
        var card: [String: Any] = ["id": agent.id, "tenant": agent.tenant, "enabled": agent.enabled]
        if let (record, document) = try ConsoleData.enforcedDocument(agent.id, node) {
            card["version"] = record.version
            card["tiles"] = tiles(document)
        }
        if let budget = try node.readState({ try $0.budget(of: agent.id, atMillis: now) }) {
            var meters: [[String: Any]] = []
            if let limit = budget.maxRequests {
                meters.append([
                    "label": "Requests today", "value": budget.requests, "max": limit,
                    "text": "\(budget.requests) of \(limit)",
                ])
            }
            if let limit = budget.maxMicrodollars {
                meters.append([
                    "label": "US dollars today", "value": budget.microdollars, "max": limit,
                    "text": "$\(dollars(budget.microdollars)) of $\(dollars(limit))",
                ])
            }
            card["meters"] = meters
            card["requests"] = budget.requests
            card["spent"] = dollars(budget.microdollars)
        }
        return card
    }

    /// What the policy decides for each tool pattern and domain it names: a denied pattern
    /// `deny`, an allowed one `needs_approval` when an approval rule names it, else `allow`.
    static func tiles(_ document: PolicyDocument) -> [[String: Any]] {
        let approvalTools = Set(
            document.tools.approvals.flatMap { $0.match.map(\.text) }
                + document.rules.filter { $0.action == .approval }.flatMap { $0.match.map(\.text) })
        var tiles: [[String: Any]] = document.tools.deny.map { ["name": $0.text, "decision": "deny"] }
        tiles += document.tools.allow.map { pattern in
            let decision = approvalTools.contains(pattern.text) ? "needs_approval" : "allow"
            return ["name": pattern.text, "decision": decision]
        }
        tiles += document.network.allowDomains.map { ["name": $0.text, "decision": "allow", "domain": true] }
        tiles += document.network.denyDomains.map { ["name": $0.text, "decision": "deny", "domain": true] }
        return tiles.map { tile in
            var tile = tile
            tile["label"] = (tile["decision"] as? String).map { $0 == "needs_approval" ? "needs approval" : $0 }
            return tile
        }
    }

    /// `12.50` for micro-dollars.
    static func dollars(_ micros: UInt64) -> String {
        String(format: "%.2f", Double(micros) / 1_000_000)
    }
}
