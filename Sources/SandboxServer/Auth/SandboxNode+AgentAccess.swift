import SandboxState

extension SandboxNode {
    /// The agent `id` as `caller` may know of it, read after a linearizable read point. An agent
    /// key names only itself (any other id is 403, whether it exists or not); a tenant-scoped
    /// token sees only its tenant's agents (another tenant's is 404 `unknown_agent`, the same
    /// answer as an id that does not exist), so no caller learns which ids exist in other
    /// tenants. Roles are checked by the caller of this.
    func visibleAgent(_ id: String, for caller: Caller) async throws(APIError) -> AgentRecord {
        if case .agent(let own) = caller, own.id != id {
            throw .forbidden("agent `\(own.id)` may act only for itself, not for `\(id.prefix(128))`")
        }
        try await linearizableRead()
        let record = try readState { try $0.agent(id) }
        guard let record, caller.tenant == nil || caller.tenant == record.tenant else {
            let scope = caller.tenant.map { " in tenant `\($0)`" } ?? ""
            throw .notFound(
                "no agent `\(id.prefix(128))`\(scope); create it under its tenant first", code: "unknown_agent")
        }
        return record
    }
}
