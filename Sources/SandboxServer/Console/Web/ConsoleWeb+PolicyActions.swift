import Foundation
import Hummingbird
import SandboxSigning
import SandboxState

/// What administrators change from the policies page, each a form with the CSRF token: upload
/// a new version (validated as `PUT /v1/policies` validates; refused with its problems shown at
/// their lines), activate a version (an older text re-published as a new enforced version, the
/// latest shadow version promoted), and put the latest version in shadow mode.
extension ConsoleWeb {
    static func addPolicyActions(to router: Router<APIRequestContext>, node: SandboxNode, keys: KeyRing) {
        router.post("/console/policies/:agent_id/upload") { request, context in
            try await form(request, node) { _, node, viewer, fields in
                let agent = try await administeredAgent(context, node, viewer)
                // A browser sends a textarea's lines with CRLF: the policy is stored as typed (LF).
                let yaml = (fields["yaml"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
                let mode = try PolicyRoutes.mode(fields["mode"], default: .enforce)
                let warnings: [String]
                do {
                    warnings = try PolicyRoutes.validate(yaml, agent: agent.id).warnings.map {
                        "line \($0.location.line): \($0.message)"
                    }
                } catch let error as APIError where error.code == "invalid_policy" {
                    return html(layout(uploadRefused(agent.id, yaml, error.message, viewer), viewer))
                }
                let command = Command.publishPolicy(agent: agent.id, yaml: yaml, mode: mode, actor: viewer.caller.actor)
                let version = try await proposePolicy(command, node)
                let page = "/console/policies/\(pathSegment(agent.id))"
                guard warnings.isEmpty else {  // published: the warnings are said before moving on
                    let body = ConsoleTemplates.render(
                        "publishedWithWarnings",
                        ["agent": agent.id, "page": page, "version": version, "mode": mode.name, "warnings": warnings])
                    return html(layout(Page(title: "Published with warnings", tab: "policies", body: body), viewer))
                }
                return redirect(to: "\(page)?done=published+version+\(version)+(\(mode.name))")
            }
        }
        router.post("/console/policies/:agent_id/activate") { request, context in
            try await form(request, node) { _, node, viewer, fields in
                let agent = try await administeredAgent(context, node, viewer)
                let version = try PolicyRoutes.version(fields["version"], "version")
                let head = try node.readState { try $0.policyHead(agent.id) } ?? PolicyHead()
                let command =
                    version == head.latest && version == head.shadow
                    ? Command.setPolicyMode(
                        agent: agent.id, version: version, mode: .enforce, actor: viewer.caller.actor)
                    : Command.activatePolicy(
                        agent: agent.id, version: version, mode: .enforce, actor: viewer.caller.actor)
                let enforced = try await proposePolicy(command, node)
                return redirect(to: "/console/policies/\(pathSegment(agent.id))?done=version+\(enforced)+enforced")
            }
        }
        router.post("/console/policies/:agent_id/shadow") { request, context in
            try await form(request, node) { _, node, viewer, fields in
                let agent = try await administeredAgent(context, node, viewer)
                let version = try PolicyRoutes.version(fields["version"], "version")
                let command = Command.setPolicyMode(
                    agent: agent.id, version: version, mode: .shadow, actor: viewer.caller.actor)
                _ = try await proposePolicy(command, node)
                return redirect(to: "/console/policies/\(pathSegment(agent.id))?done=version+\(version)+in+shadow+mode")
            }
        }
    }

    /// The agent in the path, once the viewer administers its tenant (403 otherwise).
    static func administeredAgent(_ context: APIRequestContext, _ node: SandboxNode, _ viewer: Viewer)
        async throws(APIError) -> AgentRecord
    {
        let agent = try await node.visibleAgent(context.parameters.get("agent_id") ?? "", for: viewer.caller)
        try viewer.caller.require(.admin, orAgent: agent)
        return agent
    }

    /// Proposes a policy command; the version it applied.
    static func proposePolicy(_ command: Command, _ node: SandboxNode) async throws(APIError) -> UInt32 {
        guard case .applied(.policy(_, let version, _, _)) = try await node.propose(command) else {
            throw .internalError("a policy command applied without a policy answer")
        }
        return version
    }

    /// The upload form again, with the text listed by line and each problem at its line.
    static func uploadRefused(_ agent: String, _ yaml: String, _ message: String, _ viewer: Viewer) -> Page {
        let problems = PolicyProblems(message: message, agent: agent)
        let byLine = problems.byLine
        let lines = yaml.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().map {
            index, text in
            let here = byLine[index + 1] ?? []
            return [
                "n": index + 1, "text": String(text), "bad": !here.isEmpty,
                "problems": here.map { ["message": $0.message] },
            ] as [String: Any]
        }
        let data: [String: Any] = [
            "agent": agent, "yaml": yaml, "lines": lines, "csrf": viewer.csrf,
            "problems": problems.problems.map { problem -> [String: Any] in
                var row: [String: Any] = ["message": problem.message]
                if let line = problem.line { row["line"] = line }
                if let column = problem.column { row["column"] = column }
                return row
            },
        ]
        return Page(
            title: "Policy refused", tab: "policies", body: ConsoleTemplates.render("upload", data), status: .badRequest
        )
    }
}
