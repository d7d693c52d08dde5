import Hummingbird
import Raft

/// `GET /metrics`: the Prometheus text format (written by hand; see docs/cluster.md).
enum MetricsRoute {
    static func add(to router: Router<BasicRequestContext>, node: SandboxNode) {
        router.get("/metrics") { _, _ -> Response in
            let status = node.status
            let transport = node.transport.stats
            var lines = [node.metrics.render()]
            let gauges: [(String, String, UInt64)] = [
                ("sandbox_raft_term", "The node's Raft term.", status.term),
                ("sandbox_raft_leader", "The leader this node knows (0: none).", status.leader),
                ("sandbox_raft_is_leader", "1 when this node is the leader.", status.role == .leader ? 1 : 0),
                ("sandbox_raft_commit_index", "The commit index.", status.commitIndex),
                ("sandbox_raft_applied_index", "The applied index.", status.appliedIndex),
                (
                    "sandbox_raft_log_writes_total", "Synced log writes (group commit: many entries each).",
                    status.logWrites
                ),
                ("sandbox_raft_entries_written_total", "Log entries written.", status.entriesWritten),
                (
                    "sandbox_peer_frames_dropped_total", "Frames dropped for a full queue or a lost peer.",
                    UInt64(transport.droppedFrames)
                ),
                (
                    "sandbox_peer_handshakes_refused_total", "Peer connections refused at the handshake.",
                    UInt64(transport.refusedHandshakes.values.reduce(0, +))
                ),
            ]
            for (name, help, value) in gauges {
                let type = name.hasSuffix("_total") ? "counter" : "gauge"
                lines += ["# HELP \(name) \(help)", "# TYPE \(name) \(type)", "\(name) \(value)"]
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
        }
    }
}
