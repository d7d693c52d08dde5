import Hummingbird
import JSON
import SandboxPolicy

/// `/console/simulate`: an agent's enforced policy (or one of its versions, or pasted YAML)
/// decides a tool call or an HTTP request, shown with its full trace step by step; nothing
/// changes (``SimulationRoutes``: no budget spent, no approval, no audit record).
extension ConsoleWeb {
    static func addSimulator(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/console/simulate") { request, _ in
            try await page(request, node) { request, node, viewer in
                var fields = ["kind": "tool", "params": "{}", "method": "GET"]
                fields["agent"] = request.uri.queryParameters.get("agent").map { String($0) }
                return try simulatorPage(fields, result: nil, node, viewer)
            }
        }
        router.post("/console/simulate") { request, _ in
            try await form(request, node) { _, node, viewer, fields in
                let result: [String: Any]
                do {
                    result = try await simulate(fields, viewer.caller, node)
                } catch let error as APIError {
                    result = ["error": error.message]
                }
                return html(layout(try simulatorPage(fields, result: result, node, viewer), viewer))
            }
        }
    }

    static func simulatorPage(_ fields: [String: String], result: [String: Any]?, _ node: SandboxNode, _ viewer: Viewer)
        throws(APIError) -> Page
    {
        let chosen = fields["agent"] ?? ""
        var data: [String: Any] = [
            "agents": try ConsoleData.agents(viewer.caller, node).map { ["id": $0.id, "selected": $0.id == chosen] },
            "csrf": viewer.csrf, "isHTTP": fields["kind"] == "http",
        ]
        for name in ["version", "policy", "tool", "params", "method", "url", "chain_depth", "cost_usd"] {
            data[name] = fields[name] ?? ""
        }
        if let result { data["result"] = result }
        return Page(title: "Policy simulator", tab: "simulate", body: ConsoleTemplates.render("simulate", data))
    }

    /// The decision and trace for the form's request, as the template shows them.
    static func simulate(_ fields: [String: String], _ caller: Caller, _ node: SandboxNode) async throws
        -> [String: Any]
    {
        var members = JSONObject()
        let policyText = fields["policy"] ?? ""
        let pasted = !policyText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if let agent = fields["agent"], !agent.isEmpty, pasted {
            throw APIError.badRequest(
                "choose an agent or paste a policy, not both (clear the policy to use \(agent)'s)", code: "bad_request")
        }
        if let agent = fields["agent"], !agent.isEmpty {
            members["agent_id"] = .string(agent)
            if let version = fields["version"], !version.isEmpty {
                members["version"] = .number(JSONNumber(Int64(try PolicyRoutes.version(version, "version"))))
            }
        } else if pasted {
            members["policy"] = .string(policyText)
        } else {
            throw APIError.badRequest("choose an agent or paste a policy", code: "bad_request")
        }
        let (policy, source) = try await SimulationRoutes.policy(members, caller, node)
        let traced = policy.trace(try simulatedRequest(fields))
        let decision = traced.decision
        return [
            "decision": decision.outcome.rawValue,
            "label": decision.outcome == .needsApproval ? "needs approval" : decision.outcome.rawValue,
            "reason": decision.explanation, "rule": decision.rule,
            "source": source.member("agent_id").map {
                "agent \($0.stringValue ?? "") version \(source.member("version").flatMap(PolicyRoutes.integerText) ?? "")"
            } ?? "the pasted policy",
            "steps": traced.steps.enumerated().map { index, step in
                ["n": index + 1, "check": step.check, "result": step.result.rawValue, "detail": step.detail]
                    as [String: Any]
            },
        ]
    }

    static func simulatedRequest(_ fields: [String: String]) throws(APIError) -> PolicyRequest {
        var request: [String: JSONValue] = [:]
        if fields["kind"] == "http" {
            request["http"] = .object([
                "method": .string(fields["method"].flatMap { $0.isEmpty ? nil : $0 } ?? "GET"),
                "url": .string(fields["url"] ?? ""),
            ])
        } else {
            request["tool"] = .string(fields["tool"] ?? "")
            let text = fields["params"].flatMap { $0.isEmpty ? nil : $0 } ?? "{}"
            do { request["params"] = try JSONValue(parsing: text, maxDepth: APILimits.maxJSONDepth) } catch {
                throw .badRequest("the parameters are not JSON: \(error)", code: "bad_json")
            }
            if let cost = fields["cost_usd"], !cost.isEmpty {
                guard let value = try? JSONValue(parsing: cost), case .number = value else {
                    throw .badRequest("cost in US dollars must be a number", code: "bad_request")
                }
                request["cost_usd"] = value
            }
        }
        if let depth = fields["chain_depth"], !depth.isEmpty {
            guard let value = Int64(depth), value >= 0 else {
                throw .badRequest("chain depth must be a whole number ≥ 0", code: "bad_request")
            }
            request["chain_depth"] = .number(JSONNumber(value))
        }
        do { return try PolicyRequest(json: .object(request)) } catch {
            throw .badRequest("bad request: \(error)", code: "bad_request")
        }
    }
}
