import CoreMetrics
import Foundation
import Prometheus
import SandboxCluster
import SandboxTransport

/// The node's metrics through swift-metrics on a Prometheus registry (`GET /metrics` renders
/// it). The names are stable and documented in docs/cluster.md ("Metrics"). Raft and transport
/// figures are sampled from the driver's and the transport's published status (`sample`).
///
/// `@unchecked Sendable`: the metric handles are thread-safe; `last` is only touched under `lock`.
final class NodeMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    private var decisionCounters: [String: CoreMetrics.Counter] = [:]
    let decisionLatency: CoreMetrics.Timer
    let proposeLatency: CoreMetrics.Timer
    let proposalsInFlight: CoreMetrics.Meter
    /// Decisions proposed by the decision fast paths (``RawDecisionPath``, ``DecisionFastPath``)
    /// rather than the router.
    let fastPathDecisions: CoreMetrics.Counter
    /// Of those, the ones proposed by ``RawDecisionPath`` (from the connection's bytes).
    let rawPathDecisions: CoreMetrics.Counter
    private let gauges: [String: CoreMetrics.Meter]
    private let counters: [String: CoreMetrics.Counter]
    /// Time spent in synced log writes (with `sandbox_raft_synced_log_writes_total`: the mean
    /// sync latency).
    private let syncSeconds: CoreMetrics.FloatingPointCounter
    private var last = Sample()

    /// What the previous sample saw (counters are sampled as deltas).
    private struct Sample {
        var leader: UInt64 = 0
        var counters = DriverCounters()
        var transport = TransportStats()
    }

    static let gaugeNames = [
        "sandbox_raft_term", "sandbox_raft_leader", "sandbox_raft_is_leader", "sandbox_raft_commit_index",
        "sandbox_raft_applied_index", "sandbox_raft_last_index", "sandbox_raft_voters", "sandbox_raft_learners",
    ]
    static let counterNames = [
        "sandbox_raft_leader_changes_total", "sandbox_raft_log_writes_total", "sandbox_raft_synced_log_writes_total",
        "sandbox_raft_entries_written_total", "sandbox_snapshots_sent_total", "sandbox_snapshots_failed_total",
        "sandbox_snapshot_bytes_sent_total", "sandbox_snapshots_installed_total", "sandbox_snapshots_abandoned_total",
        "sandbox_snapshot_chunks_dropped_total", "sandbox_snapshot_streams_refused_total",
        "sandbox_peer_frames_dropped_total", "sandbox_peer_connections_total", "sandbox_peer_bad_frames_total",
        "sandbox_peer_unknown_frames_total",
        "sandbox_peer_handshakes_refused_total", "sandbox_peer_handshake_timeouts_total",
        "sandbox_peer_pending_handshakes_over_limit_total",
    ]

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].map {
            Duration.microseconds(Int64($0 * 1000))
        }
        self.factory = factory
        decisionLatency = CoreMetrics.Timer(label: "sandbox_decision_seconds", factory: factory)
        proposeLatency = CoreMetrics.Timer(label: "sandbox_propose_seconds", factory: factory)
        proposalsInFlight = CoreMetrics.Meter(label: "sandbox_proposals_in_flight", factory: factory)
        fastPathDecisions = CoreMetrics.Counter(label: "sandbox_decisions_fast_path_total", factory: factory)
        rawPathDecisions = CoreMetrics.Counter(label: "sandbox_decisions_raw_path_total", factory: factory)
        gauges = Dictionary(
            uniqueKeysWithValues: Self.gaugeNames.map { ($0, CoreMetrics.Meter(label: $0, factory: factory)) })
        counters = Dictionary(
            uniqueKeysWithValues: Self.counterNames.map { ($0, CoreMetrics.Counter(label: $0, factory: factory)) })
        syncSeconds = CoreMetrics.FloatingPointCounter(label: "sandbox_raft_log_sync_seconds_total", factory: factory)
        for outcome in ["allow", "deny", "needs_approval", "error"] { _ = decisionCounter(outcome) }
    }

    private func decisionCounter(_ outcome: String) -> CoreMetrics.Counter {
        lock.withLock {
            if let counter = decisionCounters[outcome] { return counter }
            let counter = CoreMetrics.Counter(
                label: "sandbox_decisions_total", dimensions: [("outcome", outcome)], factory: factory)
            decisionCounters[outcome] = counter
            return counter
        }
    }

    /// Records one answered decision request (`outcome`: allow, deny, needs_approval, or error).
    func recordDecision(outcome: String, duration: Duration) {
        decisionCounter(outcome).increment()
        decisionLatency.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// Reads the driver's and the transport's status into the gauges and counters.
    func sample(_ status: ClusterStatus, _ transport: TransportStats) {
        let values: [String: UInt64] = [
            "sandbox_raft_term": status.term, "sandbox_raft_leader": status.leader,
            "sandbox_raft_is_leader": status.role == .leader ? 1 : 0, "sandbox_raft_commit_index": status.commitIndex,
            "sandbox_raft_applied_index": status.appliedIndex, "sandbox_raft_last_index": status.lastIndex,
            "sandbox_raft_voters": UInt64(status.membership.voters.count),
            "sandbox_raft_learners": UInt64(status.membership.learners.count),
        ]
        for (name, value) in values { gauges[name]?.set(Double(value)) }
        let previous = lock.withLock {
            let previous = last
            last = Sample(
                leader: status.leader == 0 ? previous.leader : status.leader, counters: status.counters,
                transport: transport)
            return previous
        }
        func add(_ name: String, _ now: Int, _ before: Int) {
            if now > before { counters[name]?.increment(by: Int64(now - before)) }
        }
        if status.leader != 0, status.leader != previous.leader {
            counters["sandbox_raft_leader_changes_total"]?.increment()
        }
        let (now, before) = (status.counters, previous.counters)
        add("sandbox_raft_log_writes_total", Int(now.logWrites), Int(before.logWrites))
        add("sandbox_raft_synced_log_writes_total", Int(now.syncedLogWrites), Int(before.syncedLogWrites))
        add("sandbox_raft_entries_written_total", Int(now.entriesWritten), Int(before.entriesWritten))
        add("sandbox_snapshots_sent_total", Int(now.snapshotsSent), Int(before.snapshotsSent))
        add("sandbox_snapshots_failed_total", Int(now.snapshotsFailed), Int(before.snapshotsFailed))
        add("sandbox_snapshot_bytes_sent_total", Int(now.snapshotBytesSent), Int(before.snapshotBytesSent))
        add("sandbox_snapshots_installed_total", Int(now.snapshotsInstalled), Int(before.snapshotsInstalled))
        add("sandbox_snapshots_abandoned_total", Int(now.snapshotsAbandoned), Int(before.snapshotsAbandoned))
        add("sandbox_snapshot_chunks_dropped_total", Int(now.snapshotChunksDropped), Int(before.snapshotChunksDropped))
        add(
            "sandbox_snapshot_streams_refused_total", Int(now.snapshotStreamsRefused),
            Int(before.snapshotStreamsRefused))
        if now.syncedWriteTime > before.syncedWriteTime {
            syncSeconds.increment(by: (now.syncedWriteTime - before.syncedWriteTime) / .seconds(1))
        }
        add("sandbox_peer_frames_dropped_total", transport.droppedFrames, previous.transport.droppedFrames)
        add("sandbox_peer_connections_total", transport.welcomes, previous.transport.welcomes)
        add("sandbox_peer_bad_frames_total", transport.badFrames, previous.transport.badFrames)
        add("sandbox_peer_unknown_frames_total", transport.unknownFrames, previous.transport.unknownFrames)
        add(
            "sandbox_peer_handshakes_refused_total", transport.refusedHandshakes.values.reduce(0, +),
            previous.transport.refusedHandshakes.values.reduce(0, +))
        add("sandbox_peer_handshake_timeouts_total", transport.handshakeTimeouts, previous.transport.handshakeTimeouts)
        add(
            "sandbox_peer_pending_handshakes_over_limit_total", transport.pendingHandshakesOverLimit,
            previous.transport.pendingHandshakesOverLimit)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// Times one proposal from this node (propose to applied here) and counts it in flight: the
    /// closure returned ends it (call it once) and records its latency.
    func proposalStarted() -> @Sendable () -> Void {
        let started = ContinuousClock.now
        proposalsInFlight.increment()
        return { [proposalsInFlight, proposeLatency] in
            proposalsInFlight.decrement()
            proposeLatency.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started))
        }
    }

    /// The registry in the Prometheus text format.
    func render() -> [UInt8] { registry.emitToBuffer() }
}
