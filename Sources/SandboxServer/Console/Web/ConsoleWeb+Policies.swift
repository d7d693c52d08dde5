import Hummingbird
import SandboxPolicy
import SandboxSigning
import SandboxState

/// `/console/policies`: the agents' policies; per agent its versions (author, time, mode), the
/// forms that change them (administrators: ConsoleWeb+PolicyActions.swift), the semantic and
/// side-by-side diff of two versions, and how a shadow version would have decided recent traffic.
extension ConsoleWeb {
    static func addPolicies(to router: Router<APIRequestContext>, node: SandboxNode, keys: KeyRing) {
        router.get("/console/policies") { request, _ in
            try await page(request, node) { _, node, viewer in
                let rows = try ConsoleData.agents(viewer.caller, node).map { agent throws(APIError) -> [String: Any] in
                    let head = try node.readState { try $0.policyHead(agent.id) } ?? PolicyHead()
                    return [
                        "id": agent.id, "tenant": agent.tenant, "latest": head.latest, "enforced": head.enforced,
                        "shadow": head.shadow,
                    ]
                }
                return Page(
                    title: "Policies", tab: "policies",
                    body: ConsoleTemplates.render("policies", ["agents": rows, "empty": rows.isEmpty]))
            }
        }
        router.get("/console/policies/:agent_id") { request, context in
            try await page(request, node) { request, node, viewer in
                let agent = try await node.visibleAgent(context.parameters.get("agent_id") ?? "", for: viewer.caller)
                try viewer.caller.require(.viewer, orAgent: agent)
                let before = try ApprovalRoutes.unsignedParameter(
                    request.uri.queryParameters.get("before").map { String($0) }, "before")
                var data = try await agentPolicyData(agent, before: before.map { UInt32(clamping: $0) }, node, viewer)
                if let done = doneMessage(request, limit: 80) { data["done"] = done }
                return Page(
                    title: "Policy of \(agent.id)", tab: "policies", body: ConsoleTemplates.render("agentPolicy", data))
            }
        }
        router.get("/console/policies/:agent_id/diff") { request, context in
            try await page(request, node) { request, node, viewer in
                let agent = try await node.visibleAgent(context.parameters.get("agent_id") ?? "", for: viewer.caller)
                try viewer.caller.require(.viewer, orAgent: agent)
                let query = request.uri.queryParameters
                let from = try PolicyRoutes.version(query.get("from"), "from")
                let to = try PolicyRoutes.version(query.get("to"), "to")
                let old = try PolicyRoutes.storedVersion(agent.id, from, node)
                let new = try PolicyRoutes.storedVersion(agent.id, to, node)
                return Page(
                    title: "Diff of \(agent.id)", tab: "policies",
                    body: ConsoleTemplates.render("diff", try await diffData(agent.id, old, new, node)))
            }
        }
    }

    /// Most versions the policy page lists at once.
    static let versionsShown: UInt32 = 100

    /// The page's data: the newest ``versionsShown`` versions (or those below `before`, with a
    /// link to older ones), the forms, and the default diff (the latest version and the one
    /// before it). Versions are numbered 1, 2, 3… per agent, so the window is read forward.
    static func agentPolicyData(_ agent: AgentRecord, before: UInt32? = nil, _ node: SandboxNode, _ viewer: Viewer)
        async throws -> [String: Any]
    {
        let head = try node.readState { try $0.policyHead(agent.id) } ?? PolicyHead()
        let end = min(before ?? head.latest &+ 1, head.latest &+ 1)  // exclusive
        let after = end > versionsShown + 1 ? end - versionsShown - 1 : nil
        let records = try node.readState {
            try $0.policyVersions(agent.id, after: after, limit: Int(versionsShown)).filter { $0.version < end }
        }
        // The enforced and shadow versions always have a row (and their forms), on every page.
        let shown = Set(records.map(\.version))
        let missing = [head.shadow, head.enforced].filter { $0 > 0 && !shown.contains($0) }
        let pinned = try node.readState { queries in try missing.compactMap { try queries.policyVersion(agent.id, $0) }
        }
        let versions = (pinned + records).sorted { $0.version > $1.version }.map { record -> [String: Any] in
            [
                "version": record.version, "author": record.author, "time": time(record.timeMillis),
                "mode": record.mode.name, "sha": String(record.sha256.hexString.prefix(12)),
                "enforced": record.version == head.enforced, "shadow": record.version == head.shadow,
                "copied": record.copiedFrom > 0 ? "from \(record.copiedFrom)" : "",
                "activatable": record.version != head.enforced,
                "shadowable": record.version == head.latest && record.version != head.enforced
                    && record.mode != .shadow,
            ]
        }
        let to = max(head.latest, 1)
        let from = to > 1 ? to - 1 : 1
        var data: [String: Any] = [
            "agent": agent.id, "versions": versions, "none": head.latest == 0, "admin": viewer.isAdmin,
            "csrf": viewer.csrf, "from": from, "to": to, "latest": head.latest,
        ]
        if let oldest = records.first?.version, oldest > 1 { data["older"] = oldest }
        if end <= head.latest { data["newer"] = true }
        if head.shadow > 0 {
            data["comparison"] = try await shadowComparison(agent.id, version: head.shadow, node, viewer)
        }
        return data
    }

    /// The diff page's data. Reading two versions (up to 1 MiB of YAML each) and aligning their
    /// lines is work for the node's ``BlockingWork`` thread, not the request's.
    static func diffData(_ agent: String, _ old: PolicyVersionRecord, _ new: PolicyVersionRecord, _ node: SandboxNode)
        async throws -> [String: Any]
    {
        let (oldYAML, newYAML) = (old.yaml, new.yaml)
        let (semantic, aligned) = try await node.blockingWork.run {
            let changes = (try? PolicyDocument(yaml: oldYAML)).flatMap { before in
                (try? PolicyDocument(yaml: newYAML)).map { PolicyDiff(from: before, to: $0).changes }
            }
            return (changes, SideBySideDiff(old: oldYAML, new: newYAML))
        }
        var data: [String: Any] = ["agent": agent, "from": old.version, "to": new.version]
        if let changes = semantic {
            data["changes"] = changes.map { change -> [String: Any] in
                [
                    "kind": change.kind == .added ? "added" : change.kind == .removed ? "removed" : "changed",
                    "path": change.path, "detail": change.detail, "effect": change.effect.rawValue,
                ]
            }
            data["widens"] = changes.contains { $0.effect == .widens }
            data["noChange"] = changes.isEmpty
        }
        let cells = { (cells: [SideBySideDiff.Cell]) in
            cells.map { cell -> [String: Any] in
                var row: [String: Any] = ["text": cell.text, "kind": cell.kind.rawValue]
                if let number = cell.number { row["n"] = number }
                return row
            }
        }
        data["left"] = cells(aligned.left)
        data["right"] = cells(aligned.right)
        return data
    }
}
