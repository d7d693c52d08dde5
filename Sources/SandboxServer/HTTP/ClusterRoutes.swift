import Foundation
import Hummingbird
import JSON
import Raft
import SandboxCluster
import SandboxState

/// Health, readiness and the cluster view.
enum ClusterRoutes {
    /// How far (in entries) this node's applied index may trail the commit index it knows and
    /// `/readyz` still answer 200. Under a steady load a follower's apply thread always trails
    /// the commit by the batches in flight, so "applied everything committed" at one instant was
    /// 503 most of the time (a node restarted under 16 clients never became ready in 30 s); a
    /// node this close serves correctly (linearizable reads wait for their own index) and catches
    /// up within a fraction of a second.
    static let readyLag: UInt64 = 1_000

    /// Whether a node with `status` is serving: caught up with the leader (a leader known,
    /// nothing stopped, no snapshot awaited, and it has applied what it knows committed, its own
    /// commit index or the leader's, but for at most ``readyLag`` entries).
    static func caughtUp(_ status: ClusterStatus) -> Bool {
        status.isCaughtUp(within: readyLag)
    }

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        for path in ["/healthz", "/health"] {
            router.get(RouterPath(path)) { _, _ in JSONResponses.json(.object(["status": .string("ok")])) }
        }
        router.get("/readyz") { _, _ in
            let status = node.status
            // Serving: caught up (``caughtUp``); with --dev, also the approver `dev` exists (a
            // tokenless vote acts as it); a StatefulSet pod adding itself, once the leader has
            // made it a voter.
            let ready =
                caughtUp(status)
                && (!node.config.dev || BootstrapIdentities.devApproverExists(node))
                && !node.joiningStatefulSet.load(ordering: .relaxed)
            var body: [String: JSONValue] = ["ready": .bool(ready), "leader": JSONResponses.number(status.leader)]
            if let broken = ChaosFaultInjection.active { body["chaos_broken"] = .string(broken.rawValue) }
            return JSONResponses.json(.object(body), status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/v1/cluster") { request, _ in
            let status = node.status
            var body: [String: JSONValue] = [
                "node": JSONResponses.number(status.node), "role": .string("\(status.role)"),
                "leader": JSONResponses.number(status.leader), "term": JSONResponses.number(status.term),
                "commit_index": JSONResponses.number(status.commitIndex),
                "applied_index": JSONResponses.number(status.appliedIndex),
                "first_index": JSONResponses.number(status.firstIndex),
                "last_index": JSONResponses.number(status.lastIndex),
                "lag": JSONResponses.number(status.commitIndex &- min(status.commitIndex, status.appliedIndex)),
                "voters": .array(status.membership.voters.map(JSONResponses.number)),
                "learners": .array(status.membership.learners.map(JSONResponses.number)),
                "log_writes": JSONResponses.number(status.counters.logWrites),
                "synced_log_writes": JSONResponses.number(status.counters.syncedLogWrites),
                "entries_written": JSONResponses.number(status.counters.entriesWritten),
                "rules_version_supported": JSONResponses.number(UInt64(RulesVersion.supported)),
            ]
            // A damaged or unreadable `m/rules` must not take the whole view down with it: the
            // field is left out (the view is what an operator reads to find such a node).
            if let rules = try? node.queries.rulesVersion() {
                body["rules_version"] = JSONResponses.number(UInt64(rules))
            }
            if let stopped = status.stopped { body["stopped"] = .string(stopped) }
            if request.uri.queryParameters.get("digest") != nil {
                let digest = try node.queries.storedDigest()?.bytes ?? []
                body["state_digest"] = .string(digest.map { String(format: "%02x", $0) }.joined())
            }
            return JSONResponses.json(.object(body))
        }
    }
}
