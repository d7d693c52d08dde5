import Foundation

// cluster-bench: the load generator of bench/cluster/run.sh. Drives a 3-node sandboxd or etcd
// cluster on 127.0.0.1 with `--clients` concurrent keep-alive clients and prints one line:
//   target=... clients=N ops=N throughput=N/s p50_ms=X p99_ms=X p90_ms=X p999_ms=X max_ms=X failures=N
//   max_gap_ms=X
//   by_node=PORT:OPS:P50:P99,...   (the same latencies by the node that answered, ms)
// Usage: cluster-bench --target sandboxd|etcd --ports 8080,8081,8082 [--agent-key K]
//        [--clients 16] [--warmup 2] [--duration 10] [--timeout-ms 1000] [--run ID]
//        [--slow-ms N: print each operation slower than N ms to standard error]

var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    guard name.hasPrefix("--"), let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("cluster-bench: expected --name value pairs, got \(name)\n".utf8))
        exit(2)
    }
    options[String(name.dropFirst(2))] = value
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("cluster-bench: \(message)\n".utf8))
    exit(2)
}

let target: LoadTarget
switch options["target"] {
case "sandboxd":
    guard let key = options["agent-key"] else { fail("--target sandboxd needs --agent-key") }
    target = .sandboxd(agentKey: key)
case "etcd": target = .etcd
default: fail("--target sandboxd|etcd")
}
let ports = (options["ports"] ?? "").split(separator: ",").compactMap { UInt16($0) }
guard !ports.isEmpty else { fail("--ports P1,P2,P3") }
let load = LoadRun(
    target: target, ports: ports, clients: Int(options["clients"] ?? "16") ?? 16,
    warmup: Double(options["warmup"] ?? "2") ?? 2, duration: Double(options["duration"] ?? "10") ?? 10,
    timeoutMillis: Int(options["timeout-ms"] ?? "1000") ?? 1000,
    run: options["run"] ?? "r\(UInt32.random(in: 0 ... .max))", slowMillis: Int(options["slow-ms"] ?? "0") ?? 0)
let result = load.execute()
let milliseconds = { (micros: UInt64) in String(format: "%.2f", Double(micros) / 1000) }
print(
    "target=\(options["target"]!) clients=\(load.clients) ops=\(result.operations)"
        + " throughput=\(Int(Double(result.operations) / result.seconds))"
        + " p50_ms=\(milliseconds(result.latencies.valueAtPercentile(50)))"
        + " p99_ms=\(milliseconds(result.latencies.valueAtPercentile(99)))"
        + " p90_ms=\(milliseconds(result.latencies.valueAtPercentile(90)))"
        + " p999_ms=\(milliseconds(result.latencies.valueAtPercentile(99.9)))"
        + " max_ms=\(milliseconds(result.latencies.max))"
        + " failures=\(result.failures) max_gap_ms=\(milliseconds(result.longestGapMicros))"
        + " by_node="
        + result.byPort.keys.sorted().map { port in
            let histogram = result.byPort[port]!
            return "\(port):\(histogram.totalCount):\(milliseconds(histogram.valueAtPercentile(50)))"
                + ":\(milliseconds(histogram.valueAtPercentile(99)))"
        }.joined(separator: ","))
