import Foundation
import Hummingbird
import JSON
import Logging
import Raft
import SandboxCluster
import SandboxState

/// The membership calls, run on the leader (`MembershipRoutes` forwards them there).
enum MembershipActions {
    static let logger = Logger(label: "sandboxd")

    /// Records the new member's addresses (so every node can reach it), adds it as a learner,
    /// and for a voter waits until it has applied what was committed when it joined (by
    /// snapshot when the log was compacted) before promoting it.
    static func addMember(_ member: MemberAddress, voter: Bool, catchUpTimeout: Double, _ node: SandboxNode) async
        -> Response
    {
        let membership = node.status.membership
        if membership.voters.contains(member.node) {
            return JSONResponses.error(.conflict, "node \(member.node) is already a voter")
        }
        if let refusal = await JoinerRules.check(member, node) {
            return APIError.conflict(refusal, code: "joiner_rules_too_old").response
        }
        do {
            let record = Command.setMemberAddress(
                node: member.node, peer: member.peer, http: member.http, actor: "admin")
            _ = try await node.driver.propose(CommandEnvelope.encode(record, timeMillis: SandboxNode.nowMillis))
            var conf = membership
            if !membership.learners.contains(member.node) {
                conf = try await change(ConfChange(.addLearner, node: member.node), node)
            }
            guard voter else { return membershipAnswer(node, conf) }
            // The published status lags the change by a loop iteration: the promotion below
            // reads it to see whether the learner was removed meanwhile.
            _ = await waitForStatus(node, within: .seconds(2)) { $0.membership.learners.contains(member.node) }
            let target = node.status.commitIndex
            let started = ContinuousClock.now
            logger.info("waiting for learner \(member.node) to apply index \(target) before promoting it")
            // A test build may hold the promotion (PromotionHold): then as if it never caught up.
            var caught: Bool? = false
            if !PromotionHold.holds { caught = await caughtUp(member, to: target, within: catchUpTimeout, node) }
            guard let caught else {
                logger.info("stopped leading while learner \(member.node) caught up: the next leader promotes it")
                return JSONResponses.error(
                    .serviceUnavailable,
                    "node \(member.node) was added as a learner, and this node stopped leading "
                        + "while it caught up; retry (the leader then promotes it)", retryable: true)
            }
            guard caught else {
                logger.warning("learner \(member.node) did not apply index \(target) within \(Int(catchUpTimeout)) s")
                return JSONResponses.error(
                    .gatewayTimeout,
                    "node \(member.node) was added as a learner but has not applied index \(target) within "
                        + "\(Int(catchUpTimeout)) s; check that it runs (--join) and reaches its peers, then add it again "
                        + "to promote it", retryable: true)
            }
            // Removed while it caught up (a pod stopping mid-join removes itself): not promoted.
            guard
                let promoted = try await change(
                    ConfChange(.addVoter, node: member.node), node,
                    while: { $0.learners.contains(member.node) })
            else {
                logger.warning("learner \(member.node) was removed while it caught up: not promoted")
                return APIError.conflict(
                    "node \(member.node) was removed while it caught up; add it again to add it back",
                    code: "removed_while_catching_up"
                ).response
            }
            logger.info(
                "node \(member.node) promoted to voter, \(ContinuousClock.now - started) after it was a learner")
            return membershipAnswer(node, promoted)
        } catch let error as ClusterError {
            logger.info("adding node \(member.node) stopped: \(error)")
            return JSONResponses.cluster(error)
        } catch {
            return JSONResponses.error(.internalServerError, "\(error)", retryable: true)
        }
    }

    /// A membership change, tried again for up to 5 s while this node leads and the core refuses
    /// it for now (typically a new leader whose log still holds an unapplied change, or the
    /// previous change not applied yet): a refusal appended nothing, so trying again is safe.
    private static func change(_ change: ConfChange, _ node: SandboxNode) async throws -> ConfState {
        // The condition always holds: never nil.
        try await self.change(change, node, while: { _ in true }) ?? node.status.membership
    }

    /// The same, proposed only while the applied membership meets `condition`, checked before
    /// each try: nil when it no longer does.
    private static func change(
        _ change: ConfChange, _ node: SandboxNode, while condition: (ConfState) -> Bool
    ) async throws -> ConfState? {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            guard condition(node.status.membership) else { return nil }
            do {
                return try await node.driver.changeMembership(change)
            } catch ClusterError.notApplied(_) where ContinuousClock.now < deadline && node.status.role == .leader {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Whether the member's own `/v1/cluster` reports an applied index of at least `index` within
    /// `seconds`; nil as soon as this node no longer leads (its promotion would be refused: the
    /// caller answers at once so the client retries on the new leader, instead of waiting here).
    private static func caughtUp(
        _ member: MemberAddress, to index: UInt64, within seconds: Double, _ node: SandboxNode
    ) async -> Bool? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            guard node.status.role == .leader else { return nil }
            if let answer = await NodeHTTPClient.call(
                "GET", member.http, "/v1/cluster", timeout: 2, via: node.config),
                let json = try? JSONValue(parsing: Array(answer.body)), let applied = json.uint64("applied_index"),
                applied >= index
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Removes a member and forgets its addresses. The leader removing itself hands leadership
    /// over first, then forwards the call to the new leader.
    static func removeMember(_ id: UInt64, request: Request, _ node: SandboxNode) async -> Response {
        let membership = node.status.membership
        guard membership.voters.contains(id) || membership.learners.contains(id) else {
            return JSONResponses.error(.notFound, "node \(id) is not a member")
        }
        if membership.voters == [id] {
            return APIError.conflict(
                "node \(id) is the cluster's last voter: add another voter first, then remove it",
                code: "last_voter"
            ).response
        }
        if id == node.config.nodeID {
            guard await handOver(node) else {
                return JSONResponses.error(
                    .serviceUnavailable, "no other voter took leadership; retry", retryable: true)
            }
            return await MembershipRoutes.forward(request, [], node)
                ?? JSONResponses.error(.serviceUnavailable, "leadership is moving; retry", retryable: true)
        }
        do {
            let conf = try await change(ConfChange(.removeNode, node: id), node)
            let forget = Command.setMemberAddress(node: id, peer: "", http: "", actor: "admin")
            _ = try await node.driver.propose(CommandEnvelope.encode(forget, timeMillis: SandboxNode.nowMillis))
            return membershipAnswer(node, conf)
        } catch let error as ClusterError {
            return JSONResponses.cluster(error)
        } catch {
            return JSONResponses.error(.internalServerError, "\(error)", retryable: true)
        }
    }

    static func transfer(to target: UInt64, _ node: SandboxNode) async -> Response {
        guard node.status.membership.voters.contains(target) else {
            return JSONResponses.error(.badRequest, "node \(target) is not a voter")
        }
        if target != node.config.nodeID {
            node.driver.transferLeadership(to: target)
            guard await waitForLeader(node, within: .seconds(5), { $0 == target }) else {
                return JSONResponses.error(
                    .serviceUnavailable, "node \(target) did not take leadership within 5 s; retry", retryable: true)
            }
        }
        return membershipAnswer(node)
    }

    /// Hands leadership to another voter, trying each in turn (one may be down) for 1.5 s;
    /// true once another node leads.
    static func handOver(_ node: SandboxNode) async -> Bool {
        let me = node.config.nodeID
        for target in node.status.membership.voters where target != me {
            guard node.status.role == .leader else { break }
            node.driver.transferLeadership(to: target)
            if await waitForLeader(node, within: .milliseconds(1500), { $0 != 0 && $0 != me }) { return true }
        }
        return node.status.leader != me && node.status.leader != 0
    }

    static func waitForLeader(_ node: SandboxNode, within limit: Duration, _ done: (NodeID) -> Bool) async -> Bool {
        await waitForStatus(node, within: limit) { done($0.leader) }
    }

    /// Polls the node's published status until `done` holds (true) or `limit` passes (false).
    static func waitForStatus(_ node: SandboxNode, within limit: Duration, _ done: (ClusterStatus) -> Bool) async
        -> Bool
    {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if done(node.status) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return done(node.status)
    }

    /// The leader and the membership (`conf` when a change just returned it: the published
    /// status may not show it yet).
    static func membershipAnswer(_ node: SandboxNode, _ conf: ConfState? = nil) -> Response {
        let status = node.status
        let membership = conf ?? status.membership
        return JSONResponses.json(
            .object([
                "leader": JSONResponses.number(status.leader),
                "voters": .array(membership.voters.map(JSONResponses.number)),
                "learners": .array(membership.learners.map(JSONResponses.number)),
            ]))
    }
}
