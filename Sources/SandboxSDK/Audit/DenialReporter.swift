import JSON

/// The local denials on their way to the audit: a bounded queue, sent in batches (at most
/// `denialBatchSize` denials and 512 KiB a report) through the failover, each batch removed only
/// once a node answered 200, so every denial is reported at least once (the server records each
/// request id once). One sender at a time; a batch the server refuses for good (400, 401, 403) is
/// dropped and counted, since sending it again cannot succeed.
actor DenialReporter {
    private let failover: Failover
    private let apiKey: String
    private let capacity: Int
    private let batchSize: Int
    private var queue: [LocalDenialEntry] = []
    private var sending = false
    private(set) var reported = 0
    private(set) var dropped = 0

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

    /// The first batch, sent once (with failover); true when it left the queue.
    private func sendBatch(within deadline: Duration) async -> Bool {
        var count = 0
        var bytes = 0
        while count < min(batchSize, queue.count), count == 0 || bytes + queue[count].bytes <= Self.maxReportBytes {
            bytes += queue[count].bytes
            count += 1
        }
        let body = Array(JSONValue.object(["denials": .array(queue[..<count].map(\.json))]).serialized().utf8)
        let headers = ["X-Agent-Key": apiKey, "Content-Type": "application/json"]
        let result = await failover.send(deadline: deadline) {
            TransportRequest(method: "POST", url: endpoint($0, "/v1/audit/local-denials"), headers: headers, body: body)
        }
        guard case .answer(let answer, _) = result else { return false }
        if answer.status == 200 {
            reported += count
        } else {
            guard [400, 401, 403, 404, 413].contains(answer.status) else { return false }
            dropped += count
        }
        queue.removeFirst(count)
        return true
    }

    /// Flushes every `interval` until cancelled.
    func run(every interval: Duration, deadline: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if !queue.isEmpty { await flush(deadline: deadline) }
        }
    }
}
