// Raft core benchmark: committed entries per second and CPU time per committed entry through a
// 3-node in-memory cluster (RaftSimulation.ManualCluster: memory storage, messages handed over
// in process), at batch sizes 1 and 64. Run in release:
//   swift build -c release --product raft-bench && .build/release/raft-bench
import Raft
import RaftSimulation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

struct Result {
    var batch: Int
    var entries: Int
    var seconds: Double
    var cpuSeconds: Double
    var readies: Int
}

/// Proposes `entries` entries of `payload` bytes, `batch` per leader Ready cycle, keeping the
/// pipeline full, and returns when every node has applied them all.
func measure(batch: Int, entries: Int, payload: Int) -> Result {
    let cluster = ManualCluster(voters: [1, 2, 3])
    cluster.keepsAppliedEntries = false
    let leader = cluster.node(1)
    leader.campaign()
    cluster.stabilize()
    let data = [UInt8](repeating: 0x5A, count: payload)
    let batchData = [[UInt8]](repeating: data, count: batch)
    let members = cluster.ids.map { cluster.members[$0]! }
    let target = leader.lastIndex + UInt64(entries)
    var proposed = 0
    var readies = 0
    let clock = ContinuousClock()
    let cpuStart = processCPUSeconds()
    let start = clock.now
    var rounds = 0
    while members.contains(where: { $0.appliedIndex < target }) && rounds < 100 * entries {
        rounds += 1
        if proposed < entries {
            do {
                if batch == 1 {
                    try leader.propose(data)
                } else {
                    try leader.propose(batch: batchData)
                }
                proposed += batch
            } catch {
                // Back-pressure (uncommitted limit): let the round below drain it.
            }
        }
        for member in members where cluster.processReady(member.id) { readies += 1 }
        cluster.deliverMessages()
    }
    precondition(!members.contains { $0.appliedIndex < target }, "the cluster did not apply every entry")
    let seconds = (clock.now - start).seconds
    return Result(
        batch: batch, entries: entries, seconds: seconds, cpuSeconds: processCPUSeconds() - cpuStart, readies: readies)
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

func format(_ value: Double, decimals: Int = 0) -> String {
    var scaled = value
    for _ in 0..<decimals { scaled *= 10 }
    let rounded = Int(scaled.rounded())
    if decimals == 0 {
        var text = String(rounded)
        var position = text.count - 3
        while position > 0 {
            text.insert(",", at: text.index(text.startIndex, offsetBy: position))
            position -= 3
        }
        return text
    }
    var divisor = 1
    for _ in 0..<decimals { divisor *= 10 }
    let fraction = String(rounded % divisor)
    return "\(rounded / divisor).\(String(repeating: "0", count: decimals - fraction.count))\(fraction)"
}

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let payload = 64
print("Raft core: 3 voters in one process, memory storage, \(payload)-byte entries; best of 3 runs (by CPU time)")
print(
    "| batch | entries | committed entries/s (wall) | committed entries per CPU-second | CPU µs per entry | Readies per node per 1,000 entries |"
)
print("|---|---|---|---|---|---|")
var batches = [1, 64]
if let position = arguments.firstIndex(of: "--batch"), position + 1 < arguments.count,
    let only = Int(arguments[position + 1]),
    only > 0, only <= 4096
{
    batches = [only]
}
for batch in batches {
    let entries = quick ? (batch == 1 ? 20_000 : 200_000) : (batch == 1 ? 200_000 : 2_000_000)
    _ = measure(batch: batch, entries: entries / 10, payload: payload)  // warm-up
    var best: Result?
    for _ in 0..<3 {
        let result = measure(batch: batch, entries: entries, payload: payload)
        if best == nil || result.cpuSeconds < best!.cpuSeconds { best = result }
    }
    let result = best!
    let rate = Double(result.entries) / result.seconds
    let cpuMicros = result.cpuSeconds * 1e6 / Double(result.entries)
    let readiesPerThousand = Double(result.readies) * 1000 / Double(result.entries) / 3
    print(
        "| \(batch) | \(format(Double(result.entries))) | \(format(rate)) | \(format(1e6 / cpuMicros)) | \(format(cpuMicros, decimals: 2)) | \(format(readiesPerThousand, decimals: 1)) |"
    )
}
