// The child process of the storage crash tests (Tests/SandboxStorageTests/CrashTests.swift).
// The test kills it with SIGKILL at random moments, reopens its database and checks that
// everything it reported durable is there.
//
//   storage-crash-worker log <directory> <seed> <max-seconds>
//       Appends to the Raft log (sometimes truncating a conflicting suffix, sometimes
//       compacting) and applies committed entries to the state, forever (bounded by
//       <max-seconds>). Reports on stdout, one line per event, each with one write(2):
//         R <first> <last> <applied> <commit>         opened
//         I A <first> <count> <term> <commit>         about to append (+ hard state term/1/commit)
//         I C <index>                                 about to compact up to index
//         D                                           the operation announced last is durable
//         P <applied>                                 applied up to index (not synced)
//       Entry i of term t carries payload(i, t); applying entry i sets key "slot/<i % 64>" to
//       "<i>:<t>" and increments "count", so count == applied index unless an entry was
//       applied twice or lost.
//
//   storage-crash-worker install <directory> <chunk-file> <index> <term> <pause-microseconds>
//       Installs the snapshot whose encoded chunks (each prefixed by a 4-byte big-endian
//       length) are in <chunk-file>, pausing after each chunk (so that the test's kill lands
//       mid-installation even when the worker is fast). Reports: B (begun), C <n> (n chunks
//       added), F (finishing), D (finished).
import Raft
import SandboxStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func report(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    // One write(2) per line: a line is in the pipe entirely or not at all (lines < PIPE_BUF).
    let written = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    if written != bytes.count { exit(3) }
}

func fail(_ message: String) -> Never {
    var bytes = Array("storage-crash-worker: \(message)\n".utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

extension SplitMix64 {
    /// A draw in `0..<bound` (0 when `bound` is 0); the seed comes from the test.
    mutating func below(_ bound: UInt64) -> UInt64 { bound == 0 ? 0 : next() % bound }
}

func payload(index: UInt64, term: UInt64) -> [UInt8] {
    let length = Int((index &* 7 &+ term) % 200) + 16
    return (0..<length).map { UInt8(truncatingIfNeeded: index &* 31 &+ term &* 17 &+ UInt64($0)) }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func runLog(directory: String, seed: UInt64, maxSeconds: Double) throws {
    var random = SplitMix64(seed: seed)
    let storage = try NodeStorage(path: directory, options: .small)
    defer { storage.close() }
    let log = storage.log
    let state = storage.state
    var status = try log.status()
    var commit = status.hardState.commit
    var term = max(status.hardState.term, try log.term(at: status.lastIndex), 1)
    var applied = state.appliedIndex()
    report("R \(status.firstIndex) \(status.lastIndex) \(applied) \(commit)")
    let deadline = monotonicSeconds() + maxSeconds
    var iterations = 0
    while iterations < 1_000_000, monotonicSeconds() < deadline {
        iterations += 1
        status = try log.status()
        let last = status.lastIndex
        let roll = random.below(100)
        if roll < 12, last > commit {
            // A new leader overwrites the uncommitted suffix.
            let start = commit + 1 + random.below(last - commit)
            let count = 1 + random.below(6)
            term += 1
            report("I A \(start) \(count) \(term) \(commit)")
            let entries = (start..<start + count).map {
                Entry(term: term, index: $0, data: payload(index: $0, term: term))
            }
            try log.append(entries, hardState: HardState(term: term, vote: 1, commit: commit))
            report("D")
        } else if roll < 18, applied > status.snapshot.index {
            let index = status.snapshot.index + 1 + random.below(applied - status.snapshot.index)
            report("I C \(index)")
            try log.compact(upTo: index)
            report("D")
        } else {
            let count = 1 + random.below(16)
            let newLast = last + count
            let newCommit = max(commit, newLast - random.below(min(newLast, 24)))
            report("I A \(last + 1) \(count) \(term) \(newCommit)")
            let entries = (last + 1...newLast).map {
                Entry(term: term, index: $0, data: payload(index: $0, term: term))
            }
            try log.append(entries, hardState: HardState(term: term, vote: 1, commit: newCommit))
            commit = newCommit
            report("D")
        }
        if commit > applied {
            var count = UInt64(0)
            if let bytes = try state.get(Array("count".utf8)) {
                guard let value = UInt64(String(decoding: bytes, as: UTF8.self)) else { fail("count is not a number") }
                count = value
            }
            var batch = StateBatch()
            for entry in try log.entries(from: applied + 1, to: commit + 1, maxBytes: .max) {
                batch.put(Array("slot/\(entry.index % 64)".utf8), Array("\(entry.index):\(entry.term)".utf8))
                count += 1
            }
            batch.put(Array("count".utf8), Array(String(count).utf8))
            try state.apply(batch, appliedIndex: commit)
            applied = commit
            report("P \(applied)")
        }
    }
}

func runInstall(directory: String, chunkFile: String, index: UInt64, term: UInt64, pause: UInt32) throws {
    guard let file = fopen(chunkFile, "rb") else { fail("cannot open \(chunkFile)") }
    defer { fclose(file) }
    let storage = try NodeStorage(path: directory, options: .small)
    defer { storage.close() }
    let installer = try storage.state.beginInstall(
        SnapshotMetadata(index: index, term: term, conf: ConfState(voters: [1, 2, 3])))
    report("B")
    var added = 0
    while added < 1_000_000 {
        var header = [UInt8](repeating: 0, count: 4)
        if fread(&header, 1, 4, file) != 4 { break }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length <= 64 << 20 else { fail("chunk of \(length) bytes in \(chunkFile)") }
        var chunk = [UInt8](repeating: 0, count: length)
        guard fread(&chunk, 1, length, file) == length else { fail("truncated chunk file") }
        try installer.add(encoded: chunk)
        added += 1
        report("C \(added)")
        if pause > 0 { usleep(pause) }
    }
    report("F")
    try installer.finish()
    report("D")
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 1 ? arguments[1] : "" {
    case "log" where arguments.count == 5:
        guard let seed = UInt64(arguments[3]), let seconds = Double(arguments[4]) else { fail("bad seed or seconds") }
        try runLog(directory: arguments[2], seed: seed, maxSeconds: seconds)
    case "install" where arguments.count == 7:
        guard let index = UInt64(arguments[4]), let term = UInt64(arguments[5]), let pause = UInt32(arguments[6])
        else { fail("bad index, term or pause") }
        try runInstall(directory: arguments[2], chunkFile: arguments[3], index: index, term: term, pause: pause)
    default:
        fail(
            "usage: storage-crash-worker log <directory> <seed> <max-seconds>\n"
                + "       storage-crash-worker install <directory> <chunk-file> <index> <term> <pause-microseconds>")
    }
} catch {
    fail("\(error)")
}
