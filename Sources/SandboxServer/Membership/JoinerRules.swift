import JSON
import SandboxState

/// Before a node is added: whether its build can apply the rules the cluster has moved to
/// (docs/state.md, "Rules versions"). A joiner on an older build would stop at its first
/// entry past its rules; refusing the add says so at once, to the operator who can fix it.
enum JoinerRules {
    /// Why the joiner must not be added, or nil. `answer` is the joiner's own `/v1/cluster`
    /// (nil when it did not answer: it may not be started yet, and a build too old stops
    /// cleanly at the entry, so an unreachable joiner is not refused).
    static func refusal(member: UInt64, clusterRules: UInt32, answer: JSONValue?) -> String? {
        guard clusterRules > RulesVersion.initial, let answer else { return nil }
        let supported = RulesUpgrade.supported(in: answer)
        guard supported < clusterRules else { return nil }
        return "node \(member)'s build implements apply rules up to version \(supported), and the cluster runs "
            + "version \(clusterRules): it would stop at its first entry; upgrade its binary, restart it, then add it"
    }

    /// Asks the joiner (`http` address) and checks its answer; nil when it may be added.
    static func check(_ member: MemberAddress, _ node: SandboxNode) async -> String? {
        guard let current = try? node.queries.rulesVersion(), current > RulesVersion.initial else { return nil }
        let answer = await NodeHTTPClient.call("GET", member.http, "/v1/cluster", timeout: 2, via: node.config)
        let json = answer.flatMap { $0.status == 200 ? try? JSONValue(parsing: Array($0.body)) : nil }
        return refusal(member: member.node, clusterRules: current, answer: json)
    }
}
