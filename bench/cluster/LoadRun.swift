import Foundation
import Histogram

/// What one load run measured.
struct LoadResult {
    var operations = 0
    var failures = 0
    var seconds = 0.0
    var latencies = Histogram<UInt64>(highestTrackableValue: 60_000_000)
    /// The same latencies by the node (its port) that answered: a follower's clients wait for
    /// two more hops than the leader's (forwarding, then the commit), so the two paths' tails
    /// are told apart.
    var byPort: [UInt16: Histogram<UInt64>] = [:]
    /// The longest time a client went without a success (microseconds), measured over the run.
    var longestGapMicros: UInt64 = 0

    mutating func merge(_ other: LoadResult) {
        operations += other.operations
        failures += other.failures
        latencies.add(other.latencies)
        for (port, histogram) in other.byPort {
            byPort[port, default: Histogram<UInt64>(highestTrackableValue: 60_000_000)].add(histogram)
        }
        longestGapMicros = max(longestGapMicros, other.longestGapMicros)
    }
}

/// `clients` threads, each with its own keep-alive connection, client i starting on node
/// `i % ports.count`; a failure (no answer within the timeout, a refused connection, an error
/// status) moves the client to the next node and it retries the same operation. Latency is from
/// an operation's first try to its success.
struct LoadRun {
    var target: LoadTarget
    var ports: [UInt16]
    var clients: Int
    var warmup: Double
    var duration: Double
    var timeoutMillis: Int
    var run: String
    /// Operations slower than this (ms) are printed to standard error as they end, with when
    /// they began (ms after the measurement started, and on CLOCK_MONOTONIC, to line them up with
    /// `perf record -k CLOCK_MONOTONIC` or other samplers) and the node: whether slow operations
    /// come alone or in bursts across every client (0: none printed).
    var slowMillis = 0

    func execute() -> LoadResult {
        let total = Totals()
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        let measureFrom = start + UInt64(warmup * 1e9)
        let end = measureFrom + UInt64(duration * 1e9)
        for client in 0..<clients {
            group.enter()
            let thread = Thread {
                let result = clientLoop(client, measureFrom: measureFrom, end: end)
                total.merge(result)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        var result = total.result
        result.seconds = duration
        return result
    }

    private func clientLoop(_ client: Int, measureFrom: UInt64, end: UInt64) -> LoadResult {
        var result = LoadResult()
        var node = client % ports.count
        var connections = ports.map { HTTPConnection(port: $0, timeoutMillis: timeoutMillis) }
        var sequence = 0
        var lastSuccess = measureFrom
        while true {
            let began = DispatchTime.now().uptimeNanoseconds
            if began >= end { break }
            var done = false
            while !done {
                let port = ports[node]
                let request = target.request(client: client, sequence: sequence, run: run, port: port)
                if let answer = try? connections[node].send(request),
                    target.succeeded(status: answer.status, body: answer.body)
                {
                    done = true
                } else {
                    if DispatchTime.now().uptimeNanoseconds >= measureFrom { result.failures += 1 }
                    connections[node].close()
                    node = (node + 1) % ports.count
                    if DispatchTime.now().uptimeNanoseconds >= end { break }
                    usleep(10_000)
                }
            }
            let finished = DispatchTime.now().uptimeNanoseconds
            if done, began >= measureFrom, finished <= end {
                result.operations += 1
                _ = result.latencies.record((finished - began) / 1000)
                _ = result.byPort[ports[node], default: Histogram<UInt64>(highestTrackableValue: 60_000_000)]
                    .record((finished - began) / 1000)
                if slowMillis > 0, finished - began > UInt64(slowMillis) * 1_000_000 {
                    let line =
                        "slow began_ms=\((began - measureFrom) / 1_000_000) latency_ms=\((finished - began) / 1_000_000)"
                        + " node=\(ports[node]) client=\(client) monotonic_ms=\(began / 1_000_000)\n"
                    FileHandle.standardError.write(Data(line.utf8))
                }
            }
            if done, finished >= measureFrom {
                result.longestGapMicros = max(result.longestGapMicros, (min(finished, end) - lastSuccess) / 1000)
                lastSuccess = finished
            }
            sequence += 1
        }
        if lastSuccess < end { result.longestGapMicros = max(result.longestGapMicros, (end - lastSuccess) / 1000) }
        connections.removeAll()
        return result
    }
}

/// The clients' results, merged as each thread ends.
///
/// `@unchecked Sendable`: `result` is only touched under `lock`.
final class Totals: @unchecked Sendable {
    private let lock = NSLock()
    private var merged = LoadResult()

    func merge(_ other: LoadResult) { lock.withLock { merged.merge(other) } }
    var result: LoadResult { lock.withLock { merged } }
}
