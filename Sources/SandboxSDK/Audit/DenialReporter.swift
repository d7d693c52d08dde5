import JSON

/// The local denials on their way to the audit: a bounded queue, sent in batches (at most
/// `denialBatchSize` denials and 512 KiB a report) through the failover, each batch removed only
/// once a node answered 200, so every denial is reported at least once (the server records each
/// request id once). One sender at a time; a denial the server refuses for good (400 alone, 401,
/// 403, 413) is dropped and counted, since sending it again cannot succeed.
actor DenialReporter {
    private let failover: Failover
    private let apiKey: String
    private let capacity: Int
    private let batchSize: Int
    private var queue: [LocalDenialEntry] = []
    private var sending = false
    private(set) var reported = 0
    private(set) var dropped = 0
    /// Sent as decisions to a node without the report route.
    private(set) var decidedInstead = 0
    /// Denials still to send one at a time (after a batch was refused as malformed).
    private var singles = 0

    static let maxReportBytes = 512 << 10

    init(failover: Failover, apiKey: String, capacity: Int, batchSize: Int) {
        self.failover = failover
        self.apiKey = apiKey
        self.capacity = capacity
        self.batchSize = batchSize
    }

    var pending: Int { queue.count }

    /// Queues a denial; false when the queue is full (the caller then asks the server).
    func enqueue(_ entry: LocalDenialEntry) -> Bool {
        guard queue.count < capacity else { return false }
        queue.append(entry)
        return true
    }

    /// Sends what is queued, batch after batch, until the queue is empty, a batch fails, or
    /// `deadline` passes. True when the queue is empty afterwards.
    @discardableResult
    func flush(deadline: Duration) async -> Bool {
        guard !sending else { return queue.isEmpty }
        sending = true
        defer { sending = false }
        let end = ContinuousClock.now + deadline
        while !queue.isEmpty {
            let left = end - ContinuousClock.now
            guard left > .zero, await sendBatch(within: left) else { break }
        }
        return queue.isEmpty
    }

    /// The first batch, sent once (with failover); true when it left the queue. A batch refused
    /// as malformed (400) is sent again a denial at a time, so only the refused one is dropped; a
    /// node without the route (404: not upgraded yet) gets each denial as a decision under its
    /// request id instead, which the server decides and audits itself.
    private func sendBatch(within deadline: Duration) async -> Bool {
        var count = 0
        var bytes = 0
        let limit = singles > 0 ? 1 : min(batchSize, queue.count)
        while count < limit, count == 0 || bytes + queue[count].bytes <= Self.maxReportBytes {
            bytes += queue[count].bytes
            count += 1
        }
        let body = Array(JSONValue.object(["denials": .array(queue[..<count].map(\.json))]).serialized().utf8)
        let headers = ["X-Agent-Key": apiKey, "Content-Type": "application/json"]
        let result = await failover.send(deadline: deadline) {
            TransportRequest(method: "POST", url: endpoint($0, "/v1/audit/local-denials"), headers: headers, body: body)
        }
        guard case .answer(let answer, _) = result else { return false }
        switch answer.status {
        case 200: reported += count
        case 400 where count > 1:
            singles = count
            return true
        case 404: count = await decideInstead(count, within: deadline)
        case 400, 401, 403, 413: dropped += count
        default: return false
        }
        singles = max(0, singles - count)
        queue.removeFirst(count)
        return count > 0
    }

    /// Sends the first `count` denials as decisions (`POST /v1/decisions`, the denial's request
    /// id); how many got a definite answer, in order.
    private func decideInstead(_ count: Int, within deadline: Duration) async -> Int {
        var done = 0
        for entry in queue.prefix(count) {
            guard case .object(let denial) = entry.json, let requestID = denial["request_id"]?.string else { break }
            var request: [String: JSONValue] = [:]
            if denial["kind"] == "http" {
                request["http"] = .object(["method": denial["method"] ?? "GET", "url": denial["url"] ?? ""])
            } else {
                request["tool"] = denial["tool"]
                request["params"] = denial["params"]
            }
            request["chain_depth"] = denial["chain_depth"]
            let body = Array(JSONValue.object(request).serialized().utf8)
            let headers = ["X-Agent-Key": apiKey, "Idempotency-Key": requestID, "Content-Type": "application/json"]
            let result = await failover.send(deadline: deadline) {
                TransportRequest(method: "POST", url: endpoint($0, "/v1/decisions"), headers: headers, body: body)
            }
            guard case .answer = result else { break }
            decidedInstead += 1
            done += 1
        }
        return done
    }

    /// Flushes every `interval` until cancelled.
    func run(every interval: Duration, deadline: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if !queue.isEmpty { await flush(deadline: deadline) }
        }
    }
}
