import Foundation
import JSON
import Logging

/// An elastic StatefulSet pod (ordinal at or past the founding replicas) adds itself as a voter
/// when it starts and removes itself when it stops, through the membership API and the
/// bootstrap admin token: scaling the StatefulSet out joins new pods as learners that are
/// promoted once caught up, and scaling it in removes them before they go (docs/operations.md).
extension SandboxNode {
    /// Until the leader answers that this node is a voter (or the task is cancelled), asks the
    /// founding pods in turn, once a second, to add it (`POST /v1/cluster/members`, role
    /// voter). A pod that started on an empty data directory yet is already a voter lost its
    /// disk: it removes its old self first, so that it never votes with a forgotten log. A
    /// founding pod's rejoin records each stage in its data directory (``RejoinIntent``).
    func joinStatefulSet(logger: Logger) async {
        guard let identity = config.statefulSet, identity.isElastic || config.rejoin != nil else { return }
        guard let token = config.adminToken else {
            joiningStatefulSet.store(false, ordering: .relaxed)
            logger.error(
                "this pod is past the founding replicas but has no admin token to add itself: set SANDBOX_ADMIN_TOKEN, or add it with `sandboxctl cluster add \(config.nodeID)`"
            )
            return
        }
        let targets = membershipTargets(identity)
        let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        let add = JSONValue.object([
            "id": JSONResponses.number(config.nodeID), "peer": .string(ownAddress.peer),
            "http": .string(ownAddress.http), "role": .string("voter"), "catch_up_timeout_s": JSONResponses.number(60),
        ])
        var attempt = 0
        var mayBeStale = config.rejoin.map { $0 == .staleSelfListed } ?? startedEmpty
        var added = false
        // Only the leader's answers count: this node's own membership may be an old one it is
        // replaying (an empty node applying the log from the start, a pod that left and restarts).
        while !Task.isCancelled, !added, !targets.isEmpty {
            let target = targets[attempt % targets.count]
            attempt += 1
            let answer = await NodeHTTPClient.call(
                "POST", target, "/v1/cluster/members", body: Array(add.serialized().utf8), headers: headers,
                timeout: 90, via: config)
            switch answer?.status {
            case 200?:
                logger.info("added to the cluster as a voter", metadata: ["through": "\(target)"])
                added = true
            case 409? where Self.errorCode(answer) != "conflict":
                // Refused for another reason than being a voter (this build is older than the
                // cluster's apply rules; removed while it caught up): not a member, ask again.
                logger.log(
                    level: attempt % 10 == 1 ? .error : .debug, "the cluster refused to add this pod; retrying",
                    metadata: [
                        "through": "\(target)", "answer": "\(String(decoding: answer?.body ?? Data(), as: UTF8.self))",
                    ])
            case 409? where !mayBeStale:
                logger.info("the cluster lists this pod as a voter already", metadata: ["through": "\(target)"])
                added = true
            case 409?:
                logger.warning(
                    "this pod's data directory is empty but the cluster lists it as a voter: removing it first")
                let removed = await NodeHTTPClient.call(
                    "DELETE", target, "/v1/cluster/members/\(config.nodeID)", headers: headers, timeout: 30, via: config
                )
                if removed?.status == 200 || removed?.status == 404 {
                    mayBeStale = false
                    recordRejoin(.staleSelfRemoved, logger: logger)
                } else {
                    logger.warning(
                        "removing this pod's old self failed; retrying",
                        metadata: ["through": "\(target)", "status": "\(removed?.status ?? 0)"])
                }
            case 504?:
                // The leader found no voter of this id and added this pod as a learner: any old
                // self is gone, and a later 409 means this pod (recorded before it is logged).
                if mayBeStale {
                    mayBeStale = false
                    recordRejoin(.staleSelfRemoved, logger: logger)
                }
                logger.info(
                    "added as a learner, not promoted yet (not caught up in time); asking again",
                    metadata: ["through": "\(target)"])
            default:
                logger.log(
                    level: attempt % 10 == 1 ? .info : .debug, "adding this pod failed; retrying",
                    metadata: ["through": "\(target)", "status": "\(answer?.status ?? 0)"])
            }
            if !added { try? await Task.sleep(for: .seconds(1)) }
        }
        if added {
            recordRejoin(nil, logger: logger)
            joiningStatefulSet.store(false, ordering: .relaxed)
        }
    }

    /// The `error.code` of an API error answer (nil for another body).
    static func errorCode(_ answer: (status: Int, body: Data)?) -> String? {
        guard let answer, case .string(let code)? = (try? JSONValue(parsing: Array(answer.body)))?["error"]?["code"]
        else { return nil }
        return code
    }

    /// Records the rejoin's new stage (nil: it is over) when this pod rejoins. A failure is
    /// logged, not fatal: a restart then redoes a stage already done, which is safe.
    private func recordRejoin(_ stage: RejoinIntent?, logger: Logger) {
        guard config.rejoin != nil else { return }
        do {
            if let stage {
                try stage.record(in: config.dataDirectory)
            } else {
                try RejoinIntent.clear(in: config.dataDirectory)
            }
        } catch { logger.error("\(error)") }
    }

    /// The pods a membership call goes through (they forward it to the leader): the founding
    /// ones; installed with one founding replica, pod 0 rejoining has only the elastic ones.
    private func membershipTargets(_ identity: StatefulSetIdentity) -> [String] {
        let founding = identity.foundingHTTP(port: config.httpAddress.port)
        return founding.isEmpty ? identity.elasticHTTP(port: config.httpAddress.port) : founding
    }

    /// On SIGTERM, for an elastic pod (after its join loop has been cancelled and has ended, so
    /// that no add of its own is still on its way): removes it from the membership through the
    /// founding pods (which forward to the leader; a leader removing itself hands leadership
    /// over first), whatever its own view of the membership says (the leader may list it before
    /// it has applied that), retrying for up to 20 s, each call bounded by what is left. 404
    /// (not a member) is done too. A pod stopped for a rolling update adds itself again on start.
    func leaveStatefulSet(logger: Logger) async {
        guard let identity = config.statefulSet, identity.isElastic, let token = config.adminToken else { return }
        let targets = membershipTargets(identity)
        let deadline = ContinuousClock.now + .seconds(20)
        for attempt in 0... {
            let left = Double(NodeMetrics.nanoseconds(deadline - ContinuousClock.now)) / 1e9
            guard left >= 1, !targets.isEmpty else { break }
            // In whole seconds: NodeHTTPClient keeps one session per timeout.
            let answer = await NodeHTTPClient.call(
                "DELETE", targets[attempt % targets.count], "/v1/cluster/members/\(config.nodeID)",
                headers: ["Authorization": "Bearer \(token)"], timeout: max(1, min(15, left.rounded(.down))),
                via: config)
            switch answer?.status {
            case 200?:
                logger.info("removed from the cluster before stopping (StatefulSet scale-in)")
                return
            case 404?:
                logger.info("not a member of the cluster: nothing to remove before stopping")
                return
            default:
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        logger.error(
            "could not remove this pod from the cluster within 20 s: remove it with `sandboxctl cluster remove \(config.nodeID)`"
        )
    }
}
