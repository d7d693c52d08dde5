// State machine benchmark (run in release; figures in bench/README.md, "State"):
//
//   swift build -c release --product state-bench
//   .build/release/state-bench [--directory PATH] [--keep] [--decides N] [--batch N]
//                              [--agents N] [--audit N] [--hot N] [--steady N] [--days N]
//                              [--rules N] [--step MS] [--write-buffer-mb N] [--insert-hint N]
//                              [--agent-ids N]
//
// The state first moves to apply rules `--rules` (default: the newest this build implements;
// 1 measures key layout 1, docs/state.md "Key layout").
// 1. Applied decides per second through RocksDB (state writes unsynced, as the runtime does):
//    an allowed tool call whose parameters pass a 3-field schema and debit a budget, applied
//    in batches of `--batch` entries (one StateStore.apply each, like the runtime's group
//    commit), on a fresh state. Entries are encoded before the clock starts.
// 2. With --steady N: N decides after a first day at one a second (each forgets an id 24 h
//    old); with --days N: the CPU per decide of each of N days at one decide a second.
//    --step MS spaces those decides MS milliseconds of entry time apart instead of 1,000, so a
//    day holds 86,400,000 / MS of them (bench/state/count.sh --day2: fewer under valgrind).
// 3. Scale (with --agents/--audit > 0): the agents (each with its own policy) through apply, the
//    audit records straight into the chain (BulkAuditLoader), then the same decides on that
//    state (against the same hot agents as on the fresh state), the restart time (close, open
//    the store, rebuild the state machine), the resident memory, and the read side (AuditScale:
//    export and verify of a 100,000-record range, the whole chain's verify, point lookups).
// 4. With --keep: the directory is not deleted. A new one gets the run above and is flushed at
//    the end; one that holds a state already gets only the warm-up and the measured decides, on
//    that state as it is (Feeder+Kept.swift; bench/state/count.sh --kept counts them).
// --write-buffer-mb and --insert-hint set StorageOptions' stateWriteBufferBytes and
// stateInsertHintPrefixBytes (0: RocksDB's single insertion point), to compare them.
// --agent-ids N keeps N request ids per agent (StateLimits.maxIdempotencyKeysPerAgent, 100,000 by
// default): with --hot 1 every decide after the first N forgets the agent's oldest id, the path
// of an agent that answers more than its count within the idempotency window.
import Foundation
import JSON
import Raft
import SandboxState
import SandboxStateStore
import SandboxStorage

struct Arguments {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("out/state").path
    var decides = 200_000
    var batch = 64
    var agents = 0
    var audit = 0
    var hot = 1_000
    var writeBufferMB = 0
    var insertHint: Int?
    var logStateWrites = false
    var steady = 0
    var days = 0
    /// Entry time between two decides of --steady and --days (ms).
    var step = 1_000
    /// The apply rules the state moves to before anything else (1: key layout 1).
    var rules = Int(RulesVersion.supported)
    /// Request ids kept per agent (nil: the default limit).
    var agentIDs: Int?

    /// Keep the directory: build the state there once (set-up, agents, audit records), flushed at
    /// the end, and measure on it as it is in later runs.
    var keep = false

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--keep" {
                keep = true
                continue
            }
            if argument == "--log-state-writes" {
                logStateWrites = true
                continue
            }
            if argument == "--directory", let path = iterator.next() {
                directory = path
                continue
            }
            let value = iterator.next().flatMap(Int.init)
            switch (argument, value) {
            case ("--decides", let v?): decides = v
            case ("--batch", let v?): batch = max(1, v)
            case ("--agents", let v?): agents = v
            case ("--audit", let v?): audit = v
            case ("--hot", let v?): hot = max(1, v)
            case ("--write-buffer-mb", let v?): writeBufferMB = v
            case ("--insert-hint", let v?): insertHint = max(0, v)
            case ("--steady", let v?): steady = v
            case ("--days", let v?): days = v
            case ("--rules", let v?): rules = v
            case ("--step", let v?): step = min(max(1, v), 86_400_000)
            case ("--agent-ids", let v?): agentIDs = max(1, v)
            default:
                print(
                    "usage: state-bench [--directory PATH] [--keep] [--decides N] [--batch N] [--agents N] [--audit N]"
                        + " [--hot N] [--steady N] [--days N] [--rules N] [--step MS] [--write-buffer-mb N]"
                        + " [--insert-hint N] [--agent-ids N] [--log-state-writes]")
                exit(2)
            }
        }
    }
}

let policy = """
    tools:
      allow: ["crm.read"]
      schemas:
        crm.read:
          type: object
          required: [customer, fields, limit]
          additionalProperties: false
          properties: {customer: {type: string}, fields: {type: array}, limit: {type: integer}}
    budgets:
      max_requests_per_day: 1000000000
      max_usd_per_day: 1000000
    """

/// Prints a figure at once (also when the output is a file).
func report(_ line: String) {
    print(line)
    fflush(nil)
}

func now() -> Double { ProcessInfo.processInfo.systemUptime }

/// CPU seconds (user + system) this process used so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// CPU seconds of the calling thread only (apply's own work, without RocksDB's background
/// flushes and compactions).
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// A rate by the wall clock, by the process's CPU time (steadier on a shared machine) and by the
/// applying thread's CPU time.
struct Rate {
    var wall: Double
    var cpu: Double
    var threadCPU: Double
    var text: String {
        String(
            format: "%.0f/s wall, %.0f per CPU-second (%.1f µs CPU each; %.1f µs on the applying thread)", wall, cpu,
            1e6 / cpu, 1e6 / threadCPU)
    }
}

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return kilobytes / 1024
    }
    return 0
}

/// Feeds commands to a state machine as entries with growing indices and time.
final class Feeder {
    var storage: NodeStorage
    var machine: StateMachine
    var index: UInt64
    var time: UInt64 = 1_795_996_800_000
    /// Entry time between two entries (ms).
    var step: UInt64 = 1
    /// Put before every request id, so that a kept state's later runs make new ones.
    var requestIDPrefix = ""

    let options: StorageOptions

    let limits: StateLimits

    init(path: String, options: StorageOptions, limits: StateLimits = StateLimits()) throws {
        self.options = options
        self.limits = limits
        storage = try NodeStorage(path: path, options: options)
        machine = try StateMachine(storage: RocksStateStorage(storage.state), limits: limits)
        index = machine.appliedIndex
    }

    func entries(_ commands: [Command]) -> [Entry] {
        commands.map { command in
            index += 1
            time += step
            return Entry(term: 1, index: index, data: CommandEnvelope.encode(command, timeMillis: time))
        }
    }

    func apply(_ commands: [Command], batch: Int) throws {
        let all = entries(commands)
        var start = 0
        while start < all.count {
            let results = try machine.apply(Array(all[start..<min(start + batch, all.count)]))
            if let refused = results.first(where: { $0.error != nil }) { fatalError("refused: \(refused)") }
            start += batch
        }
    }

    func setUpAgents(_ range: Range<Int>) throws {
        var commands: [Command] = []
        for i in range {
            commands.append(
                .createAgent(
                    tenant: "t", agent: "agent-\(i)", keyHash: SHA256.hash(Array("k\(i)".utf8)), actor: "bench"))
            commands.append(.publishPolicy(agent: "agent-\(i)", yaml: policy, mode: .enforce, actor: "bench"))
            if commands.count >= 2_000 {
                try apply(commands, batch: 256)
                commands = []
            }
        }
        try apply(commands, batch: 256)
    }

    func decides(_ count: Int, agents: Int, prefix: String) -> [Command] {
        (0..<count).map { i in
            let parameters: JSONValue = [
                "customer": .string("c-\(i % 977)"), "fields": ["name", "email"], "limit": 10,
            ]
            return .decide(
                DecideCommand(
                    requestID: "\(requestIDPrefix)\(prefix)-\(i)", agent: "agent-\(i % agents)",
                    request: .tool(
                        name: "crm.read", parameters: parameters, chainDepth: 0, costUSD: JSONNumber(literal: "0.001")),
                    node: 1))
        }
    }

    /// Applies `count` decides and returns decides per second.
    func measureDecides(_ count: Int, agents: Int, batch: Int, prefix: String) throws -> Rate {
        let entries = entries(decides(count, agents: agents, prefix: prefix))
        let start = now()
        let cpuStart = cpuSeconds()
        let threadStart = threadCPUSeconds()
        var offset = 0
        while offset < entries.count {
            let results = try machine.apply(Array(entries[offset..<min(offset + batch, entries.count)]))
            precondition(
                results.allSatisfy { $0.decision?.outcome == .allow }, "a decide was not allowed: \(results[0])")
            offset += batch
        }
        return Rate(
            wall: Double(count) / (now() - start), cpu: Double(count) / (cpuSeconds() - cpuStart),
            threadCPU: Double(count) / (threadCPUSeconds() - threadStart))
    }
}

let arguments = Arguments()
if !arguments.keep { try? FileManager.default.removeItem(atPath: arguments.directory) }
try FileManager.default.createDirectory(atPath: arguments.directory, withIntermediateDirectories: true)
var options = StorageOptions()
if arguments.writeBufferMB > 0 { options.stateWriteBufferBytes = arguments.writeBufferMB << 20 }
if let hint = arguments.insertHint { options.stateInsertHintPrefixBytes = hint }
options.logStateWrites = arguments.logStateWrites
var limits = StateLimits()
if let ids = arguments.agentIDs { limits.maxIdempotencyKeysPerAgent = ids }
let feeder = try Feeder(path: arguments.directory, options: options, limits: limits)
let hot = min(arguments.hot, max(arguments.agents, arguments.hot))
if arguments.keep && feeder.index > 0 {
    let records = try StateQueries(RocksStateStorage(feeder.storage.state)).auditHead().nextSequence - 1
    let kept = try feeder.measureOnKeptState(decides: arguments.decides, hot: hot, batch: arguments.batch)
    report(
        "decides applied: \(kept.text) (\(arguments.decides) decides, batches of \(arguments.batch), \(hot) agents,"
            + " kept state: \(records) audit records before)")
    feeder.storage.close()
    exit(0)
}
if arguments.rules > Int(RulesVersion.initial) {
    try feeder.apply([.setRulesVersion(version: UInt32(arguments.rules), actor: "bench")], batch: 1)
}
try feeder.apply([.createTenant(id: "t", name: "bench", actor: "bench")], batch: 1)
try feeder.setUpAgents(0..<hot)
_ = try feeder.measureDecides(min(20_000, arguments.decides), agents: hot, batch: arguments.batch, prefix: "warm")
let fresh = try feeder.measureDecides(arguments.decides, agents: hot, batch: arguments.batch, prefix: "fresh")
report(
    "decides applied: \(fresh.text) (\(arguments.decides) decides, batches of \(arguments.batch), \(hot) agents, fresh state)"
)

if arguments.steady > 0 {
    // The steady state after the first 24 h: one entry a second, so a day of decides fills the
    // idempotency window, and from then on every decide's sweep forgets the id of the decide
    // made 24 h before it (three keys deleted, the agent's count rewritten).
    feeder.step = UInt64(arguments.step)
    let day = 86_400_000 / arguments.step
    var filled = 0
    while filled < day {
        let chunk = min(20_000, day - filled)
        _ = try feeder.measureDecides(chunk, agents: hot, batch: arguments.batch, prefix: "day\(filled)")
        filled += chunk
    }
    let steady = try feeder.measureDecides(arguments.steady, agents: hot, batch: arguments.batch, prefix: "steady")
    report("decides in the steady state (each forgets a request id 24 h old): \(steady.text)")
    feeder.step = 1
}

if arguments.days > 0 {
    // Day after day at one entry a second: the first day fills the idempotency window; from the
    // second on, every decide's sweep forgets the id of the decide made 24 h before it, and
    // ledger rows older than the retention go. The cost per decide should stay flat.
    feeder.step = UInt64(arguments.step)
    let perDay = 86_400_000 / arguments.step
    for day in 1...arguments.days {
        var cpu = 0.0
        var thread = 0.0
        var filled = 0
        while filled < perDay {
            let chunk = min(20_000, perDay - filled)
            let rate = try feeder.measureDecides(
                chunk, agents: hot, batch: arguments.batch, prefix: "d\(day)-\(filled)")
            cpu += Double(chunk) / rate.cpu
            thread += Double(chunk) / rate.threadCPU
            filled += chunk
        }
        report(
            String(
                format:
                    "day %d (%d decides, %d ms apart): %.1f µs CPU per decide (%.1f µs on the applying thread)",
                day, perDay, arguments.step, 1e6 * cpu / Double(perDay), 1e6 * thread / Double(perDay)))
    }
    feeder.step = 1
}

if arguments.agents > 0 || arguments.audit > 0 {
    var start = now()
    if arguments.agents > hot { try feeder.setUpAgents(hot..<arguments.agents) }
    let agentSeconds = now() - start
    start = now()
    let generationCPU = cpuSeconds()
    try feeder.bulkAudit(arguments.audit, agents: max(arguments.agents, hot))
    report(
        String(
            format: "generated: %d agents in %.1f s, %d audit records in %.1f s wall, %.1f s CPU (%.0f/s wall)",
            arguments.agents, agentSeconds, arguments.audit, now() - start, cpuSeconds() - generationCPU,
            Double(arguments.audit) / (now() - start)))
    let loaded = try feeder.measureDecides(arguments.decides, agents: hot, batch: arguments.batch, prefix: "loaded")
    let ratio = String(
        format: "%.1f%% (applying thread: %.1f%%)", 100 * fresh.cpu / loaded.cpu,
        100 * fresh.threadCPU / loaded.threadCPU)
    report("decides applied on the large state: \(loaded.text) (CPU cost \(ratio) of the fresh state's)")
    // Restart after a close without a flush (as after a crash: the state's recent writes are
    // replayed from the WAL), then after a clean shutdown (the state flushed first).
    var restarts: [String] = []
    for flush in [false, true] {
        if flush { try feeder.storage.state.flush() }
        feeder.storage.close()
        start = now()
        let cpuStart = cpuSeconds()
        feeder.storage = try NodeStorage(path: arguments.directory, options: feeder.options)
        feeder.machine = try StateMachine(storage: RocksStateStorage(feeder.storage.state), limits: feeder.limits)
        restarts.append(String(format: "%.2f s wall (%.2f s CPU)", now() - start, cpuSeconds() - cpuStart))
    }
    let after = try feeder.measureDecides(arguments.decides, agents: hot, batch: arguments.batch, prefix: "restarted")
    let figures =
        "restart (open + recover): \(restarts[0]) without a flush before, \(restarts[1]) after a flush;"
        + String(format: " resident memory: %.0f MB", residentMegabytes())
    report("\(figures); decides after restart: \(after.text)")
    try AuditScale(queries: StateQueries(RocksStateStorage(feeder.storage.state))).run(
        agents: max(arguments.agents, hot))
}
// A kept state is flushed, so that a later run opens it with an empty memtable, as a fresh
// state starts.
if arguments.keep { try feeder.storage.state.flush() }
feeder.storage.close()
