// `storage-bench --latency`: the latency of one synced append of one entry (~500 B), through the
// segment log (preallocated segments), through RaftLogStore (the node's log store: the segment
// log behind it since format 2; before, RocksDB, whose WAL grows), and the
// two plain-file references (a growing file, a preallocated zero-filled file), in alternating
// slices of 100 ms so all four see the same disk conditions.
import Foundation
import Raft
import SandboxStorage

/// One synced append per call.
protocol SyncedAppend {
    mutating func appendOne() throws
}

struct SegmentLogAppend: SyncedAppend {
    let log: SegmentLog
    let data: [UInt8]
    var next: UInt64 = 1

    mutating func appendOne() throws {
        try log.append([Entry(term: 1, index: next, data: data)])
        next += 1
    }
}

struct RaftLogStoreAppend: SyncedAppend {
    let storage: NodeStorage
    let data: [UInt8]
    var next: UInt64 = 1

    mutating func appendOne() throws {
        try storage.log.append([Entry(term: 1, index: next, data: data)])
        next += 1
    }
}

/// pwrite + fdatasync of `record` at the end of a file: growing (`preallocated: 0`) or inside a
/// zero-filled file of `preallocated` bytes (wrapping round at its end).
struct PlainFileAppend: SyncedAppend {
    let descriptor: Int32
    let record: [UInt8]
    let preallocated: Int
    var offset = 0

    init(path: String, record: [UInt8], preallocated: Int) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw BenchError("cannot open \(path): errno \(errno)") }
        self.record = record
        self.preallocated = preallocated
        if preallocated > 0 {
            let zeros = [UInt8](repeating: 0, count: 1 << 20)
            for chunk in stride(from: 0, to: preallocated, by: zeros.count) {
                guard pwrite(descriptor, zeros, min(zeros.count, preallocated - chunk), off_t(chunk)) > 0 else {
                    throw BenchError("cannot fill \(path)")
                }
            }
            guard fsync(descriptor) == 0 else { throw BenchError("cannot sync \(path)") }
        }
    }

    mutating func appendOne() throws {
        if preallocated > 0, offset + record.count > preallocated { offset = 0 }
        guard pwrite(descriptor, record, record.count, off_t(offset)) == record.count, fdatasync(descriptor) == 0
        else { throw BenchError("write failed") }
        offset += record.count
    }
}

struct LatencySample {
    var name: String
    var micros: [Double] = []

    func percentile(_ fraction: Double) -> Double {
        let sorted = micros.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

func runLatency(_ arguments: Arguments) throws {
    let directory = arguments.directory + "/latency"
    try? FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let data = (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    let segmentLog = try SegmentLog(directory: directory + "/segments")
    defer { segmentLog.close() }
    try segmentLog.prepareSpare()
    let storage = try NodeStorage(path: directory + "/rocksdb")
    defer { storage.close() }
    var appenders: [(String, any SyncedAppend)] = [
        ("SegmentLog.append", SegmentLogAppend(log: segmentLog, data: data)),
        ("RaftLogStore.append", RaftLogStoreAppend(storage: storage, data: data)),
        ("file: growing", try PlainFileAppend(path: directory + "/growing", record: data, preallocated: 0)),
        (
            "file: preallocated",
            try PlainFileAppend(path: directory + "/prealloc", record: data, preallocated: 64 << 20)
        ),
    ]
    var samples = appenders.map { LatencySample(name: $0.0) }
    let slice = 0.1
    let rounds = max(1, Int(arguments.seconds / slice))
    for _ in 0..<rounds {
        for position in appenders.indices {
            let start = now()
            var count = 0
            while now() - start < slice, count < 100_000 {
                let before = now()
                try appenders[position].1.appendOne()
                samples[position].micros.append((now() - before) * 1e6)
                count += 1
            }
        }
        // Off the clock, as the owner's background thread would.
        try segmentLog.prepareSpare()
    }
    print("## Latency of one synced append of one 500-byte entry (\(rounds) rounds of 100 ms each, alternating)")
    print("")
    print("| path | appends | p50 µs | p99 µs | p99.9 µs |")
    print("|---|---:|---:|---:|---:|")
    for sample in samples {
        let cells = [
            sample.name, String(sample.micros.count), format(sample.percentile(0.5)), format(sample.percentile(0.99)),
            format(sample.percentile(0.999)),
        ]
        print("| " + cells.joined(separator: " | ") + " |")
    }
    print("")
}
