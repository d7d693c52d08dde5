import JSON
import Logging
import SandboxState

/// Moves the cluster to newer apply rules after a rolling upgrade (``RulesVersion``): the
/// leader asks every member which rules its build implements (`rules_version_supported` in
/// `/v1/cluster`) and, once all of them answer with a version above the cluster's, proposes the
/// lowest of them as a `setRulesVersion` entry. A member that does not answer, or a build from
/// before the gate (no such field: version 1), holds the cluster where it is.
enum RulesUpgrade {
    /// How often the leader looks (a look is a `/v1/cluster` call to each member, 1 s at most,
    /// only while the cluster runs older rules than this build implements; at the newest it asks
    /// nobody). Every second, so that a new cluster, which starts on the first rules, moves on
    /// within a second or two of its first leader, before it has stored much in the older key
    /// layout (docs/state.md, "Key layout": a request id in layout 1 costs a second lookup until
    /// the agent has none left there).
    static let interval: Duration = .seconds(1)

    /// The version to move to, or nil: every member must have answered, and the lowest version
    /// they implement must be above the cluster's.
    static func target(current: UInt32, members: [UInt64], supported: [UInt64: UInt32]) -> UInt32? {
        guard !members.isEmpty else { return nil }
        var lowest = UInt32.max
        for member in members {
            guard let version = supported[member] else { return nil }
            lowest = min(lowest, version)
        }
        return lowest > current ? lowest : nil
    }

    /// What a member's `/v1/cluster` answer says it implements (1 when the field is missing: a
    /// build from before the gate).
    static func supported(in answer: JSONValue) -> UInt32 {
        guard let version = answer.uint64("rules_version_supported"), version <= UInt64(UInt32.max) else {
            return RulesVersion.initial
        }
        return UInt32(version)
    }

    /// One look, on the leader only; the version proposed, if any.
    @discardableResult
    static func round(_ node: SandboxNode, logger: Logger) async -> UInt32? {
        let status = node.status
        guard status.leader == status.node, status.stopped == nil,
            let current = try? node.queries.rulesVersion(), current < RulesVersion.supported
        else { return nil }
        let answers = await node.askEachMember()
        var supported = answers.mapValues(supported(in:))
        supported[status.node] = RulesVersion.supported
        let members = status.membership.voters + status.membership.learners
        guard let version = target(current: current, members: members, supported: supported) else { return nil }
        do {
            _ = try await node.propose(.setRulesVersion(version: version, actor: "cluster"))
            logger.notice("the cluster moved to apply rules version \(version)", metadata: ["from": "\(current)"])
            return version
        } catch {
            logger.warning("moving the cluster to apply rules version \(version) failed: \(error)")
            return nil
        }
    }

    /// Looks every ``interval`` until cancelled.
    static func run(_ node: SandboxNode, logger: Logger) async {
        while !Task.isCancelled {
            await round(node, logger: logger)
            try? await Task.sleep(for: interval)
        }
    }
}
