import JSON
import SandboxPolicy

/// A shadow version on recent traffic, two ways: the decisions made while it was in shadow
/// (each decision record holds the shadow version's outcome beside its own), and at once, a
/// replay of the agent's newest audited requests through both the enforced and the shadow
/// version (evaluated here: nothing is spent, asked, audited or written).
extension ConsoleWeb {
    /// Most audited requests the replay evaluates (the agent's newest of the last day).
    static let replayed = 200
    /// Most differing decisions a table lists.
    static let differingShown = 20

    static func shadowComparison(_ agent: String, version: UInt32, _ node: SandboxNode, _ viewer: Viewer)
        async throws -> [String: Any]
    {
        let since = ApprovalRoutes.nowMillis() &- 86_400_000
        let decisions = try await ConsoleData.recentRecords(since: since, viewer.caller, node).reversed().filter {
            $0.string("kind") == "decision" && $0.string("agent") == agent
        }
        var compared = 0
        var differing: [[String: Any]] = []
        for entry in decisions {
            guard let shadow = entry.body["shadow"],
                shadow.member("policy_version").flatMap(PolicyRoutes.integerText) == String(version)
            else { continue }
            compared += 1
            let would = shadow.member("outcome")?.stringValue ?? ""
            if would != entry.string("outcome"), differing.count < differingShown {
                differing.append(
                    differingRow(
                        entry, decided: entry.string("outcome"), would: would, shadow.member("rule")?.stringValue))
            }
        }
        var data: [String: Any] = [
            "version": version, "compared": compared, "differing": differing, "same": differing.isEmpty,
        ]
        data["replay"] = try await replay(Array(decisions.prefix(replayed)), agent, version, node, viewer)
        return data
    }

    /// The requests of `decisions` decided again by the enforced and the shadow version.
    static func replay(
        _ decisions: [ConsoleData.Entry], _ agent: String, _ version: UInt32, _ node: SandboxNode, _ viewer: Viewer
    ) async throws -> [String: Any] {
        let (enforced, _) = try await SimulationRoutes.policy(["agent_id": .string(agent)], viewer.caller, node)
        let (candidate, _) = try await SimulationRoutes.policy(
            ["agent_id": .string(agent), "version": .number(JSONNumber(Int64(version)))], viewer.caller, node)
        var replayed = 0
        var differing: [[String: Any]] = []
        var count = 0
        for entry in decisions {
            guard let json = entry.body["request"], let request = try? PolicyRequest(json: json) else { continue }
            replayed += 1
            let now = enforced.evaluate(request)
            let then = candidate.evaluate(request)
            guard now.outcome != then.outcome else { continue }
            count += 1
            if differing.count < differingShown {
                differing.append(
                    differingRow(entry, decided: now.outcome.rawValue, would: then.outcome.rawValue, then.rule))
            }
        }
        return ["replayed": replayed, "differing": differing, "count": count, "same": count == 0]
    }

    static func differingRow(_ entry: ConsoleData.Entry, decided: String, would: String, _ rule: String?)
        -> [String: Any]
    {
        [
            "seq": entry.sequence, "time": time(entry.timeMillis), "request": ConsoleData.requestSummary(entry.body),
            "outcome": decided, "would": would, "rule": rule ?? "",
        ]
    }
}
