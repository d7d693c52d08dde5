import Raft

@testable import SandboxStorage

/// What the crash-test parent knows must be on disk, built from the worker's reports.
struct CrashModel: Equatable {
    /// The term of each index ever appended (later appends overwrite; committed ones never change).
    var terms: [UInt64: UInt64] = [:]
    var snapshotIndex: UInt64 = 0
    var lastIndex: UInt64 = 0
    var hardState = HardState()
    /// An applied index known to be durable (a compaction point, or verified at an open). State
    /// writes skip the WAL, so a kill loses every apply since the last flush: only a
    /// compaction promises one (the state's applied index is made durable up to its point first).
    var durableApplied: UInt64 = 0

    enum Operation: Equatable {
        case append(first: UInt64, count: UInt64, term: UInt64, commit: UInt64)
        case compact(UInt64)
    }

    func applying(_ operation: Operation) -> CrashModel {
        var next = self
        switch operation {
        case .append(let first, let count, let term, let commit):
            for index in first..<first + count { next.terms[index] = term }
            next.lastIndex = first + count - 1
            next.hardState = HardState(term: term, vote: 1, commit: commit)
        case .compact(let index):
            next.snapshotIndex = index
        }
        return next
    }

    static func parse(_ line: String) -> Operation? {
        let fields = line.split(separator: " ").map(String.init)
        if fields.count == 6, fields[0] == "I", fields[1] == "A",
            let first = UInt64(fields[2]), let count = UInt64(fields[3]), let term = UInt64(fields[4]),
            let commit = UInt64(fields[5])
        {
            return .append(first: first, count: count, term: term, commit: commit)
        }
        if fields.count == 3, fields[0] == "I", fields[1] == "C", let index = UInt64(fields[2]) {
            return .compact(index)
        }
        return nil
    }

    /// Folds one run's reports in: returns the model of everything acknowledged, and the one
    /// operation announced but not acknowledged (it may or may not have reached the disk).
    func folding(_ lines: [String]) throws -> (acknowledged: CrashModel, pending: Operation?) {
        var model = self
        var pending: Operation?
        for line in lines {
            if let operation = Self.parse(line) {
                guard pending == nil else { throw CrashCheckFailure("two operations in flight: \(line)") }
                pending = operation
            } else if line == "D" {
                guard let operation = pending else { throw CrashCheckFailure("D without an operation") }
                model = model.applying(operation)
                pending = nil
                if case .compact(let index) = operation { model.durableApplied = max(model.durableApplied, index) }
            }
        }
        return (model, pending)
    }

    /// Whether `storage` holds exactly this log and hard state (payloads included).
    func mismatch(in storage: NodeStorage) throws -> String? {
        let status = try storage.log.status()
        if status.snapshot.index != snapshotIndex {
            return "compaction point \(status.snapshot.index), expected \(snapshotIndex)"
        }
        if status.lastIndex != lastIndex { return "last index \(status.lastIndex), expected \(lastIndex)" }
        if status.hardState != hardState { return "hard state \(status.hardState), expected \(hardState)" }
        guard status.firstIndex <= lastIndex else { return nil }
        let entries = try storage.log.entries(from: status.firstIndex, to: lastIndex + 1, maxBytes: .max)
        if entries.count != Int(lastIndex - status.firstIndex + 1) { return "\(entries.count) entries read" }
        for entry in entries {
            guard let term = terms[entry.index], entry.term == term else {
                return
                    "entry \(entry.index) has term \(entry.term), expected \(terms[entry.index].map(String.init) ?? "none")"
            }
            if entry.data != payload(index: entry.index, term: term) { return "entry \(entry.index) payload differs" }
        }
        return nil
    }

    /// The applied index and the state agree: every entry applied exactly once.
    func checkState(in storage: NodeStorage) throws {
        let applied = storage.state.appliedIndex()
        guard applied >= durableApplied else {
            throw CrashCheckFailure("applied index \(applied) is behind the durable applied index \(durableApplied)")
        }
        guard applied <= hardState.commit else {
            throw CrashCheckFailure("applied index \(applied) is beyond commit \(hardState.commit)")
        }
        let count = try storage.state.get([UInt8]("count")).map { String(decoding: $0, as: UTF8.self) } ?? "0"
        guard count == String(applied) else {
            throw CrashCheckFailure("\(count) entries applied but the applied index is \(applied)")
        }
        for slot in UInt64(0)..<64 {
            let stored = try storage.state.get([UInt8]("slot/\(slot)")).map { String(decoding: $0, as: UTF8.self) }
            var expected: String?
            if applied >= slot {
                let last = applied - (applied - slot) % 64
                if last >= 1, let term = terms[last] { expected = "\(last):\(term)" }
            }
            guard stored == expected else {
                throw CrashCheckFailure("slot \(slot) holds \(stored ?? "nothing"), expected \(expected ?? "nothing")")
            }
        }
    }
}

struct CrashCheckFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
