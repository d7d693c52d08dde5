import JSON

/// The local denials on their way to the audit: a bounded queue, sent in batches (at most
/// `denialBatchSize` denials and 512 KiB a report) through the failover, each batch removed only
/// once a node answered 200, so every denial is reported at least once (the server records each
/// request id once). One sender at a time; a denial the server refuses for good (400 alone, 401,
/// 403, 413, any other definite answer but 404 and 405) is dropped and counted, since sending it
/// again cannot succeed.
///
/// Nothing is queued (so nothing is denied locally) before the cluster has shown that it records
/// local denials: the first request is an empty report, refused 400 by a node with the route and
/// 404 by one without. After a 404 (the probe's or a report's) the queued denials stay queued
/// and nothing more is queued for `recheck` (then the cluster is asked again): they are never sent
/// as decisions, which a node could allow and debit although the agent was told they were denied.
actor DenialReporter {
    private let failover: Failover
    private let apiKey: String
    private let capacity: Int
    private let batchSize: Int
    private let recheck: Duration
    /// Whether to ask the cluster at all (only a client with a policy cache denies locally).
    private let probes: Bool
    private var queue: [LocalDenialEntry] = []
    private var sending = false
    /// Set when the client closes: nothing more is queued.
    private var closing = false
    private(set) var reported = 0
    private(set) var dropped = 0
    /// Whether the cluster records local denials, as far as the client knows.
    private(set) var supported = false
    /// When to ask again whether it does (nil: at the next flush).
    private var probeAt: ContinuousClock.Instant?
    /// Denials still to send one at a time (after a batch was refused as malformed).
    private var singles = 0

    static let maxReportBytes = 512 << 10
    static let probe = Array(#"{"denials":[]}"#.utf8)

    init(
        failover: Failover, apiKey: String, capacity: Int, batchSize: Int, probes: Bool,
        recheck: Duration = .seconds(60)
    ) {
        self.failover = failover
        self.probes = probes
        self.apiKey = apiKey
        self.capacity = capacity
        self.batchSize = batchSize
        self.recheck = recheck
    }

    var pending: Int { queue.count }

    /// Refuses every later denial (the client is closing: its last flush has begun).
    func stopQueueing() { closing = true }

    /// Queues a denial; false when the queue is full or the cluster is not known to record local
    /// denials (the caller then asks the server).
    func enqueue(_ entry: LocalDenialEntry) -> Bool {
        guard supported, !closing, queue.count < capacity else { return false }
        queue.append(entry)
        return true
    }

    /// Sends what is queued, batch after batch, until the queue is empty, a batch fails, or
    /// `deadline` passes (a flush already running is waited for first). True when the queue is
    /// empty afterwards.
    @discardableResult
    func flush(deadline: Duration) async -> Bool {
        let end = ContinuousClock.now + deadline
        while sending {
            guard ContinuousClock.now < end, !Task.isCancelled else { return queue.isEmpty }
            try? await Task.sleep(for: .milliseconds(5))
        }
        sending = true
        defer { sending = false }
        if !supported {
            guard probes, probeAt.map({ ContinuousClock.now >= $0 }) ?? true,
                await askWhetherSupported(within: end - ContinuousClock.now)
            else { return queue.isEmpty }
        }
        while !queue.isEmpty, supported {
            let left = end - ContinuousClock.now
            guard left > .zero, await sendBatch(within: left) else { break }
        }
        return queue.isEmpty
    }

    /// The first batch, sent once (with failover); true when it left the queue. A batch refused
    /// as malformed (400) is sent again a denial at a time, so only the refused one is dropped; a
    /// node without the route (404, 405: not upgraded yet) keeps them queued.
    private func sendBatch(within deadline: Duration) async -> Bool {
        var count = 0
        var bytes = 0
        let limit = singles > 0 ? 1 : min(batchSize, queue.count)
        while count < limit, count == 0 || bytes + queue[count].bytes <= Self.maxReportBytes {
            bytes += queue[count].bytes
            count += 1
        }
        let body = Array(JSONValue.object(["denials": .array(queue[..<count].map(\.json))]).serialized().utf8)
        guard let answer = await report(body, within: deadline) else { return false }
        switch answer.status {
        case 200: reported += count
        case 400 where count > 1:
            singles = count
            return true
        case 404, 405:
            unsupported()
            return false
        default: dropped += count  // any other definite answer (400, 401, 403, 413, a proxy's 415) cannot change
        }
        singles = max(0, singles - count)
        queue.removeFirst(count)
        return count > 0
    }

    /// Sends the empty report that asks whether the cluster has the route; whether it has (any
    /// definite answer but 404 and 405: 400 `bad_denial_count`, or 401 for a revoked key).
    private func askWhetherSupported(within deadline: Duration) async -> Bool {
        guard let answer = await report(Self.probe, within: deadline) else { return false }
        guard ![404, 405].contains(answer.status) else {
            unsupported()
            return false
        }
        supported = true
        return true
    }

    private func unsupported() {
        supported = false
        probeAt = ContinuousClock.now + recheck
    }

    /// `POST /v1/audit/local-denials` through the failover; nil when no node answered.
    private func report(_ body: [UInt8], within deadline: Duration) async -> TransportResponse? {
        let headers = ["X-Agent-Key": apiKey, "Content-Type": "application/json"]
        let result = await failover.send(deadline: deadline) {
            TransportRequest(method: "POST", url: endpoint($0, "/v1/audit/local-denials"), headers: headers, body: body)
        }
        guard case .answer(let answer, _) = result else { return nil }
        return answer
    }

    /// Flushes every `interval` until cancelled; after a flush that left denials queued, pauses
    /// 0.5 s more, doubling to 10 s, until one empties the queue.
    func run(every interval: Duration, deadline: Duration) async {
        var pause = Duration.milliseconds(500)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !queue.isEmpty || (!supported && probes) else { continue }
            if await flush(deadline: deadline) {
                pause = .milliseconds(500)
            } else {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(10))
            }
        }
    }
}
