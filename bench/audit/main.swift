// Audit export benchmark (run in release; figures in bench/README.md, "Audit export"):
//
//   bench/audit/run.sh [RECORDS]        # builds, generates, serves, measures (default 1,000,000)
//
//   audit-bench generate --directory DIR [--records N]
//       Writes a single-node data directory whose log and state hold N decisions (each with its
//       hash-chained audit record), the way the node itself would have: entries appended to the
//       Raft log and applied by the state machine in batches, without HTTP.
//   audit-bench export --url URL --token TOKEN [--ndjson]
//       Streams GET /v1/audit/export?from=0&to=9999999999 and reports records per second (wall),
//       the bytes, and this client's CPU time.
import Foundation
import JSON
import Raft
import SandboxState
import SandboxStateStore
import SandboxStorage

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

func report(_ line: String) {
    print(line)
    fflush(nil)
}

func now() -> Double { ProcessInfo.processInfo.systemUptime }

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
    return arguments[at + 1]
}

let agentKey = "audit-bench-agent-key-0123456789"

/// Writes `records` decisions into a fresh single-node data directory.
func generate(directory: String, records: Int) throws {
    let storage = try NodeStorage(path: directory)
    try storage.bootstrap(ConfState(voters: [1]))
    let machine = try StateMachine(storage: RocksStateStorage(storage.state))
    var index = machine.appliedIndex
    var time = UInt64(Date().timeIntervalSince1970 * 1000) - UInt64(records)
    func append(_ commands: [Command]) throws {
        let entries = commands.map { command in
            index += 1
            time += 1
            return Entry(term: 1, index: index, data: CommandEnvelope.encode(command, timeMillis: time))
        }
        try storage.log.append(entries, hardState: HardState(term: 1, vote: 1, commit: index))
        for result in try machine.apply(entries) where result.error != nil {
            throw StateStorageError("refused: \(result)")
        }
    }
    try append([
        .createTenant(id: "bench", name: "Bench", actor: "bench"),
        .createAgent(tenant: "bench", agent: "reader", keyHash: SHA256.hash(Array(agentKey.utf8)), actor: "bench"),
        .publishPolicy(
            agent: "reader", yaml: "tools:\n  allow: [\"crm.read\"]\n", mode: .enforce, actor: "bench"),
    ])
    let started = now()
    var written = 0
    while written < records {
        let count = min(1000, records - written)
        try append(
            (written..<written + count).map { i in
                .decide(
                    DecideCommand(
                        requestID: "r\(i)", agent: "reader",
                        request: .tool(
                            name: "crm.read", parameters: ["customer": .string("c\(i % 977)"), "limit": 10],
                            chainDepth: 0, costUSD: nil), node: 1))
            })
        written += count
        if written % 100_000 == 0 { report("generated \(written) in \(String(format: "%.0f", now() - started)) s") }
    }
    storage.close()
}

/// Streams the export and counts its records (lines or top-level objects).
final class Counter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    var bytes = 0
    var newlines = 0
    var status = 0
    let done = DispatchSemaphore(value: 0)

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        bytes += data.count
        newlines += data.withUnsafeBytes { buffer in
            var count = 0
            for byte in buffer where byte == 10 { count += 1 }
            return count
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error { report("error: \(error)") }
        done.signal()
    }
}

func export(url: String, token: String, ndjson: Bool) {
    var request = URLRequest(url: URL(string: url + "/v1/audit/export?from=0&to=9999999999")!, timeoutInterval: 600)
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    if ndjson { request.setValue("application/x-ndjson", forHTTPHeaderField: "Accept") }
    let counter = Counter()
    let session = URLSession(configuration: .ephemeral, delegate: counter, delegateQueue: nil)
    let started = now()
    let cpu = cpuSeconds()
    session.dataTask(with: request).resume()
    counter.done.wait()
    let seconds = now() - started
    // The array form puts one record a line too (`,\n` between records).
    let records = counter.newlines
    report(
        String(
            format: "export (%@): HTTP %d, %d records, %.1f MB in %.2f s wall: %.0f records/s; client CPU %.2f s",
            ndjson ? "NDJSON" : "JSON array", counter.status, records, Double(counter.bytes) / 1e6, seconds,
            Double(records) / seconds, cpuSeconds() - cpu))
}

switch CommandLine.arguments.dropFirst().first {
case "generate":
    guard let directory = option("--directory") else {
        report("usage: audit-bench generate --directory DIR [--records N]")
        exit(2)
    }
    let records = option("--records").flatMap(Int.init) ?? 1_000_000
    let started = now()
    let cpu = cpuSeconds()
    do { try generate(directory: directory, records: records) } catch {
        report("generate failed: \(error)")
        exit(1)
    }
    report(
        String(
            format: "generated %d decisions in %.1f s wall, %.1f s CPU", records, now() - started, cpuSeconds() - cpu))
case "export":
    guard let url = option("--url"), let token = option("--token") else {
        report("usage: audit-bench export --url URL --token TOKEN [--ndjson]")
        exit(2)
    }
    export(url: url, token: token, ndjson: CommandLine.arguments.contains("--ndjson"))
default:
    report("usage: audit-bench generate|export (see bench/audit/main.swift)")
    exit(2)
}
