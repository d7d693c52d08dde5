import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// Random operations against a model, with the simulated disk dying at a random call and losing
/// what was not synced: after every crash the log must reopen as the model before or after the
/// operation that was running (each operation is atomic), and go on.
/// `SEGMENT_LOG_SEEDS=N` runs more seeds.
@Suite struct SegmentLogCrashTests {
    /// The log as its API promises it.
    struct Model: Equatable {
        var entries: [Entry] = []
        var snapshotIndex: UInt64 = 0
        var snapshotTerm: UInt64 = 0
        var hardState = HardState()

        var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }

        func term(at index: UInt64) -> UInt64 {
            index == snapshotIndex ? snapshotTerm : entries[Int(index - snapshotIndex - 1)].term
        }

        mutating func append(_ new: [Entry], hardState: HardState?) {
            if let first = new.first { entries.removeLast(Int(lastIndex + 1 - first.index)) }
            entries += new
            if let hardState { self.hardState = hardState }
        }

        mutating func compact(upTo index: UInt64) {
            snapshotTerm = term(at: index)
            entries.removeFirst(Int(index - snapshotIndex))
            snapshotIndex = index
        }

        mutating func reset(to index: UInt64, term: UInt64) {
            entries = []
            snapshotIndex = index
            snapshotTerm = term
            hardState.commit = max(hardState.commit, index)
        }

        static func read(_ log: SegmentLog) throws -> Model {
            let point = try log.compactionPoint()
            return Model(
                entries: try log.entries(from: point.index + 1, to: log.lastIndex() + 1, maxBytes: .max),
                snapshotIndex: point.index, snapshotTerm: point.term, hardState: try log.hardState())
        }
    }

    struct Counts {
        var operations = 0
        var crashes = 0
        var crashesMidOperation = 0
        var operationsLostInCrash = 0
        var maxSegments = 0
    }

    static let directory = "/log"
    static let options = SegmentLogOptions(segmentBytes: 4096)
    /// Spares made in four synced pieces: a crash during `prepareSpare` can land between them.
    static let optionsInPieces = SegmentLogOptions(segmentBytes: 16384, fillPieceBytes: 4096)

    @Test(arguments: [options, optionsInPieces])
    func crashesAtRandomCallsLoseNothingThatWasAcknowledged(options: SegmentLogOptions) throws {
        let seeds = (ProcessInfo.processInfo.environment["SEGMENT_LOG_SEEDS"].flatMap(Int.init)) ?? 12
        var total = Counts()
        for seed in 0..<seeds {
            total.add(try Self.run(seed: UInt64(seed), operations: 400, options: options))
        }
        print(
            "segment log crash test (segments of \(options.segmentBytes) bytes, spares filled"
                + " \(options.fillPieceBytes) at a time): \(seeds) seeds, \(total.operations) operations,"
                + " \(total.crashes) crashes,"
                + " \(total.crashesMidOperation) during an operation (\(total.operationsLostInCrash) of those lost),"
                + " up to \(total.maxSegments) segment files")
        // The run did real work: crashes inside operations, some of them losing the operation.
        #expect(total.crashes >= seeds * 5)
        #expect(total.crashesMidOperation >= seeds * 3)
        #expect(total.operationsLostInCrash > 0)
        #expect(total.operationsLostInCrash < total.crashesMidOperation)
        #expect(total.maxSegments >= 4)
    }

    static func run(seed: UInt64, operations: Int, options: SegmentLogOptions) throws -> Counts {
        var random = SeededGenerator(seed: seed)
        let disk = SimulatedDisk()
        var log = try SegmentLog(directory: directory, options: options, fileSystem: disk)
        var model = Model()
        var term: UInt64 = 1
        var counts = Counts()
        for step in 0..<operations {
            if random.chance(10) {
                disk.stopAfter = random.below(6)
            }
            var next = model
            let operation = randomOperation(&random, model: model, term: &term, next: &next)
            counts.operations += 1
            do {
                try operation(log)
                model = next
                if random.chance(20) { try log.prepareSpare() }
                disk.stopAfter = nil
                continue
            } catch StorageError.fileSystem(let name, _, _) where name.hasPrefix("simulated crash") {
                counts.crashes += 1
            }
            log.close()
            disk.crash(using: &random)
            log = try SegmentLog(directory: directory, options: options, fileSystem: disk)
            let found = try Model.read(log)
            let segments = try disk.fileNames(in: directory).count
            counts.maxSegments = max(counts.maxSegments, segments)
            if found == next && next != model {
                counts.crashesMidOperation += 1
                model = next
            } else if found == model {
                if next != model {
                    counts.crashesMidOperation += 1
                    counts.operationsLostInCrash += 1
                }
            } else {
                Issue.record(
                    "seed \(seed), step \(step): reopened as \(found.summary), expected \(model.summary) or \(next.summary)"
                )
                return counts
            }
        }
        return counts
    }

    /// An operation on the log and, in `next`, the model after it.
    static func randomOperation(_ random: inout SeededGenerator, model: Model, term: inout UInt64, next: inout Model)
        -> (SegmentLog) throws -> Void
    {
        let choice = random.below(100)
        if choice < 6, model.lastIndex > model.snapshotIndex {
            let index = model.snapshotIndex + 1 + UInt64(random.below(Int(model.lastIndex - model.snapshotIndex)))
            next.compact(upTo: index)
            return { try $0.compact(upTo: index) }
        }
        if choice < 8 {
            term += 1
            let index = model.lastIndex + UInt64(random.below(20))
            let resetTerm = term
            next.reset(to: index, term: resetTerm)
            return { try $0.reset(toIndex: index, term: resetTerm) }
        }
        if random.chance(15) { term += 1 }
        // Overwrite from any uncommitted position, or append.
        let lowest = max(model.snapshotIndex, model.hardState.commit) + 1
        let start =
            random.chance(20) ? lowest + UInt64(random.below(Int(model.lastIndex + 2 - lowest))) : model.lastIndex + 1
        let count = random.below(6)
        let entries = (0..<count).map {
            Entry(term: term, index: start + UInt64($0), data: random.bytes(random.below(700)))
        }
        let last = count == 0 ? model.lastIndex : start + UInt64(count) - 1
        var hardState: HardState?
        if count == 0 || random.chance(40) {
            let commit =
                model.hardState.commit
                + UInt64(random.below(Int(min(last, model.lastIndex) - model.hardState.commit) + 1))
            hardState = HardState(term: term, vote: UInt64(random.below(3)), commit: commit)
        }
        next.append(entries, hardState: hardState)
        return { try $0.append(entries, hardState: hardState) }
    }
}

extension SegmentLogCrashTests.Counts {
    mutating func add(_ other: Self) {
        operations += other.operations
        crashes += other.crashes
        crashesMidOperation += other.crashesMidOperation
        operationsLostInCrash += other.operationsLostInCrash
        maxSegments = max(maxSegments, other.maxSegments)
    }
}

extension SegmentLogCrashTests.Model {
    var summary: String {
        "entries \(snapshotIndex + 1)...\(lastIndex) (terms \(entries.map(\.term))), compaction point \(snapshotIndex)/\(snapshotTerm), \(hardState)"
    }
}
