// Storage benchmark (run in release; figures in bench/README.md):
//
//   swift build -c release --product storage-bench
//   .build/release/storage-bench [--directory PATH] [--seconds S] [--keys N]
//                                [--entry BYTES] [--batch N] [--no-snapshot]   (one row, for profiling)
//   .build/release/storage-bench --latency [--seconds S] [--directory PATH]
//
// 1. Synced Raft log appends: entries/s and MB/s at batch sizes 1, 16, 64, 256 with entries of
//    256 B and 4 KiB, each next to the physical limit measured in the same run on the same
//    disk: a plain file append (one write(2) of the batch) + fdatasync loop. The two run in
//    alternating 100 ms slices so that both see the same disk conditions.
// 2. Snapshot of N keys (default a million): creation (read + encode + compress every chunk)
//    and installation on another node (decode, write, flush, switch).
// 3. With --latency (only): p50/p99 of one synced append of one 500-byte entry through the
//    segment log, RaftLogStore, a growing file and a preallocated file (SegmentLogLatency.swift).
import Foundation
import Raft
import SandboxStorage

struct Arguments {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("out/storage").path
    var seconds = 2.0
    var keys = 1_000_000
    /// Only these entry sizes / batch sizes (for profiling one row); nil: all.
    var entrySize: Int?
    var batchSize: Int?
    var snapshot = true
    var latency = false

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--directory": directory = iterator.next() ?? directory
            case "--seconds": seconds = iterator.next().flatMap(Double.init) ?? seconds
            case "--keys": keys = iterator.next().flatMap(Int.init) ?? keys
            case "--entry": entrySize = iterator.next().flatMap(Int.init)
            case "--batch": batchSize = iterator.next().flatMap(Int.init)
            case "--no-snapshot": snapshot = false
            case "--latency": latency = true
            default:
                print(
                    "usage: storage-bench [--directory PATH] [--seconds S] [--keys N] [--entry BYTES] [--batch N]"
                        + " [--no-snapshot] [--latency]")
                exit(2)
            }
        }
    }
}

struct Rate {
    var entries: Int
    var bytes: Int
    var seconds: Double
    var entriesPerSecond: Double { Double(entries) / seconds }
    var megabytesPerSecond: Double { Double(bytes) / seconds / 1_000_000 }
}

func now() -> Double { ProcessInfo.processInfo.systemUptime }

/// A synced appender: the raw file or the RocksDB log, appending one batch per call.
protocol Appender {
    mutating func appendBatch() throws
}

struct RawFileAppender: Appender {
    let descriptor: Int32
    let buffer: [UInt8]

    init(path: String, batch: Int, entryBytes: Int) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw BenchError("cannot open \(path): errno \(errno)") }
        buffer = [UInt8](repeating: 0xA5, count: batch * entryBytes)
    }

    mutating func appendBatch() throws {
        let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == buffer.count, fdatasync(descriptor) == 0 else { throw BenchError("write failed") }
    }
}

struct LogAppender: Appender {
    let storage: NodeStorage
    let batch: Int
    let data: [UInt8]
    var next: UInt64 = 1

    init(storage: NodeStorage, batch: Int, entryBytes: Int) {
        self.storage = storage
        self.batch = batch
        data = (0..<entryBytes).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    }

    mutating func appendBatch() throws {
        let first = next
        try storage.log.append((0..<batch).map { Entry(term: 1, index: first + UInt64($0), data: data) })
        next += UInt64(batch)
    }
}

/// Runs raw and RocksDB appends in alternating slices of 100 ms for `seconds` each, so both see
/// the same disk conditions (the disk is shared with other work), and sums the slices.
func measurePair(seconds: Double, batch: Int, entryBytes: Int, raw: inout RawFileAppender, log: inout LogAppender)
    throws -> (raw: Rate, log: Rate)
{
    var rawTime = 0.0
    var logTime = 0.0
    var rawBatches = 0
    var logBatches = 0
    let slice = 0.1
    var slices = 0
    while rawTime + logTime < 2 * seconds, slices < 10_000 {
        slices += 1
        var start = now()
        while now() - start < slice, rawBatches < 10_000_000 {
            try raw.appendBatch()
            rawBatches += 1
        }
        rawTime += now() - start
        start = now()
        while now() - start < slice, logBatches < 10_000_000 {
            try log.appendBatch()
            logBatches += 1
        }
        logTime += now() - start
    }
    return (
        Rate(entries: rawBatches * batch, bytes: rawBatches * batch * entryBytes, seconds: rawTime),
        Rate(entries: logBatches * batch, bytes: logBatches * batch * entryBytes, seconds: logTime)
    )
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func format(_ value: Double, _ decimals: Int = 0) -> String { String(format: "%.\(decimals)f", value) }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func runAppends(_ arguments: Arguments) throws {
    print("## Synced log appends (\(format(arguments.seconds, 1)) s per row, directory \(arguments.directory))")
    print("")
    print("| entry | batch | raw entries/s | raw MB/s | RocksDB entries/s | RocksDB MB/s | RocksDB / raw |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for entryBytes in [256, 4096] where arguments.entrySize.map({ $0 == entryBytes }) ?? true {
        for batch in [1, 16, 64, 256] where arguments.batchSize.map({ $0 == batch }) ?? true {
            let rawPath = arguments.directory + "/raw-append"
            let logPath = arguments.directory + "/log-append"
            try? FileManager.default.removeItem(atPath: logPath)
            let storage = try NodeStorage(path: logPath)
            var rawAppender = try RawFileAppender(path: rawPath, batch: batch, entryBytes: entryBytes)
            var logAppender = LogAppender(storage: storage, batch: batch, entryBytes: entryBytes)
            let (raw, log) = try measurePair(
                seconds: arguments.seconds, batch: batch, entryBytes: entryBytes, raw: &rawAppender, log: &logAppender)
            close(rawAppender.descriptor)
            unlink(rawPath)
            storage.close()
            try? FileManager.default.removeItem(atPath: logPath)
            let cells = [
                entryBytes == 256 ? "256 B" : "4 KiB", String(batch), format(raw.entriesPerSecond),
                format(raw.megabytesPerSecond, 1), format(log.entriesPerSecond), format(log.megabytesPerSecond, 1),
                format(100 * log.entriesPerSecond / raw.entriesPerSecond) + " %",
            ]
            print("| " + cells.joined(separator: " | ") + " |")
        }
    }
    print("")
}

func key(_ number: Int) -> [UInt8] {
    var key = Array("key/".utf8)
    for shift in stride(from: 56, through: 0, by: -8) { key.append(UInt8(truncatingIfNeeded: number >> shift)) }
    return key
}

func value(_ number: Int) -> [UInt8] {
    // 48 bytes: a realistic small record, partly compressible.
    var value = Array("budget:\(number % 997):spent:\(number % 89)".utf8)
    while value.count < 48 { value.append(UInt8(truncatingIfNeeded: number &* 2_654_435_761 >> (value.count % 24))) }
    return value
}

func runSnapshot(_ arguments: Arguments) throws {
    let sourcePath = arguments.directory + "/snapshot-source"
    let targetPath = arguments.directory + "/snapshot-target"
    for path in [sourcePath, targetPath] { try? FileManager.default.removeItem(atPath: path) }
    defer { for path in [sourcePath, targetPath] { try? FileManager.default.removeItem(atPath: path) } }
    let source = try NodeStorage(path: sourcePath)
    defer { source.close() }
    let batches = max(1, arguments.keys / 10_000)
    try source.log.append((1...UInt64(batches)).map { Entry(term: 1, index: $0) })
    var written = 0
    let loadStart = now()
    for index in 1...batches {
        var batch = StateBatch()
        let end = index == batches ? arguments.keys : written + 10_000
        while written < end {
            batch.put(key(written), value(written))
            written += 1
        }
        try source.state.apply(batch, appliedIndex: UInt64(index))
    }
    let loadSeconds = now() - loadStart

    let createStart = now()
    let reader = try source.state.makeSnapshot()
    var chunks: [[UInt8]] = []
    var uncompressed = 0
    while let chunk = try reader.nextChunk(), chunks.count < 1_000_000 {
        uncompressed += Int(chunk.uncompressedByteCount)
        chunks.append(chunk.encoded())
    }
    let createSeconds = now() - createStart
    let compressed = chunks.reduce(0) { $0 + $1.count }

    let target = try NodeStorage(path: targetPath)
    defer { target.close() }
    let installStart = now()
    let installer = try target.state.beginInstall(reader.metadata)
    for chunk in chunks { try installer.add(encoded: chunk) }
    let finishStart = now()
    try installer.finish()
    let installSeconds = now() - installStart
    let finishSeconds = now() - finishStart
    guard target.state.appliedIndex() == reader.metadata.index,
        try target.state.get(key(arguments.keys - 1)) == value(arguments.keys - 1)
    else { throw BenchError("installed state differs from the source") }

    print("## Snapshot of \(arguments.keys) keys (12-byte keys, 48-byte values)")
    print("")
    print("| step | seconds | detail |")
    print("|---|---:|---|")
    print("| load source (apply batches of 10,000) | \(format(loadSeconds, 2)) | |")
    print(
        "| create (read + encode + LZ4 + CRC, all chunks) | \(format(createSeconds, 2)) | \(chunks.count) chunks, "
            + "\(format(Double(uncompressed) / 1e6, 1)) MB of records -> \(format(Double(compressed) / 1e6, 1)) MB |")
    print(
        "| install (verify + decode + write + flush + switch) | \(format(installSeconds, 2)) | "
            + "of which finish (flush, switch, compact old) \(format(finishSeconds, 2)) s |")
    print("")
}

let arguments = Arguments()
do {
    try FileManager.default.createDirectory(atPath: arguments.directory, withIntermediateDirectories: true)
    if arguments.latency {
        try runLatency(arguments)
    } else {
        try runAppends(arguments)
        if arguments.snapshot { try runSnapshot(arguments) }
    }
} catch {
    print("storage-bench: \(error)")
    exit(1)
}
