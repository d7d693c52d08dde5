import Raft

/// Where one entry lives: 24 bytes of memory per entry.
struct EntryLocation: Sendable, Equatable {
    var sequence: UInt64
    /// Offset of the record in its segment (segments are at most 1 GiB).
    var offset: UInt32
    /// The record's payload length (index, term, kind and data).
    var payloadBytes: UInt32
    var term: UInt64

    var dataBytes: Int { Int(payloadBytes) - SegmentRecord.entryPrefixBytes }
    var recordBytes: Int { SegmentRecord.size(payloadBytes: Int(payloadBytes)) }
}

/// An open segment file and the start record it begins with.
struct OpenSegment: Sendable {
    var sequence: UInt64
    var file: any SegmentFile
    var capacity: Int
    var start: SegmentStart
}

/// The log as the records replayed so far describe it; the same rules build it at recovery and
/// keep it during appends (`apply`), so what a reopen finds is what the running store had.
struct SegmentLogState: Sendable {
    var segments: [OpenSegment] = []
    /// Where the next record goes in the last segment.
    var tailOffset = 0
    /// The locations of entries `base`, `base + 1`, ...
    var locations: [EntryLocation] = []
    var base: UInt64 = 1
    var snapshotIndex: UInt64 = 0
    var snapshotTerm: UInt64 = 0
    var hardState = HardState()
    /// Segments whose entries are all compacted, for `SegmentLog.prepareSpare` to delete.
    var deadSegments: [OpenSegment] = []
    /// Corruption or a failed write; every later call throws it.
    var failure: StorageError?
    var closed = false

    var firstIndex: UInt64 { snapshotIndex + 1 }
    var lastIndex: UInt64 { base + UInt64(locations.count) - 1 }

    func location(of index: UInt64) -> EntryLocation? {
        guard index >= base, index <= lastIndex else { return nil }
        return locations[Int(index - base)]
    }

    /// The open segment `sequence` (sequences are consecutive from the first open segment's).
    func segment(_ sequence: UInt64) -> OpenSegment? {
        guard let first = segments.first, sequence >= first.sequence, sequence - first.sequence < segments.count
        else { return nil }
        return segments[Int(sequence - first.sequence)]
    }

    /// The term of the compaction point or of an entry in memory.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        return location(of: index)?.term
    }

    var currentStart: SegmentStart {
        SegmentStart(
            sequence: 0, nextIndex: lastIndex + 1, snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm,
            hardState: hardState)
    }

    // MARK: the replay rules

    /// Applies one record found at `offset` of segment `sequence` (also each record written, once
    /// synced). A start record is applied before its segment joins `segments`. Errors name the place.
    mutating func apply(_ record: SegmentRecord, sequence: UInt64, offset: Int) throws {
        switch record {
        case .start(let start):
            try begin(start, sequence: sequence)
        case .entry(let index, let term, _, let data):
            let location = EntryLocation(
                sequence: sequence, offset: UInt32(offset),
                payloadBytes: UInt32(SegmentRecord.entryPrefixBytes + data.count), term: term)
            try add(index: index, location)
        case .hardState(let state):
            hardState = state
        case .compaction(let index, _) where index > RaftLogStorageRules.maxIndex,
            .reset(let index, _) where index > RaftLogStorageRules.maxIndex:
            throw StorageError.inconsistentLog("\(Self.place(sequence, offset)): index \(index) is out of range")
        case .compaction(let index, let term):
            compact(upTo: index, term: term)
        case .reset(let index, let term):
            snapshotIndex = index
            snapshotTerm = term
            locations.removeAll()
            base = index + 1
        }
    }

    static func place(_ sequence: UInt64, _ offset: Int) -> String {
        "segment \(SpareSegments.name(of: sequence)) at offset \(offset)"
    }

    private mutating func begin(_ start: SegmentStart, sequence: UInt64) throws {
        guard start.sequence == sequence else {
            throw StorageError.inconsistentLog(
                "\(Self.place(sequence, 0)): the start record names sequence \(start.sequence)")
        }
        guard start.nextIndex >= 1, start.nextIndex - 1 <= RaftLogStorageRules.maxIndex,
            start.snapshotIndex < start.nextIndex
        else {
            throw StorageError.inconsistentLog("\(Self.place(sequence, 0)): the start record \(start) is out of range")
        }
        if segments.isEmpty {
            // The oldest segment: the log before it was compacted away.
            base = start.nextIndex
            snapshotIndex = start.snapshotIndex
            snapshotTerm = start.snapshotTerm
            hardState = start.hardState
            return
        }
        var expected = currentStart
        expected.sequence = sequence
        guard start == expected else {
            throw StorageError.inconsistentLog(
                "\(Self.place(sequence, 0)): the start record \(start) disagrees with the log before it \(expected)")
        }
    }

    /// The location names the place in errors (formatted only then: every appended entry
    /// passes here, and formatting it each time was 6% of the Raft loop at 64 clients).
    private mutating func add(index: UInt64, _ location: EntryLocation) throws {
        var place: String { Self.place(location.sequence, Int(location.offset)) }
        if index > lastIndex + 1 {
            throw StorageError.inconsistentLog("\(place): entry \(index) follows entry \(lastIndex)")
        }
        if index <= snapshotIndex {
            throw StorageError.inconsistentLog(
                "\(place): entry \(index) is at or before the compaction point \(snapshotIndex)")
        }
        if index < base {
            // Overwrites everything this segment's predecessors held from `index` on.
            locations.removeAll()
            base = index
        } else {
            locations.removeLast(Int(lastIndex + 1 - index))
        }
        if let previous = term(at: index - 1), location.term < previous {
            throw StorageError.corruptEntry(
                index: index,
                reason: "\(place): term \(location.term) is lower than the previous entry's term \(previous)")
        }
        locations.append(location)
    }

    mutating func compact(upTo index: UInt64, term: UInt64) {
        snapshotIndex = index
        snapshotTerm = term
        if index >= lastIndex {
            locations.removeAll()
            base = index + 1
        } else if index >= base {
            locations.removeFirst(Int(index - base + 1))
            base = index + 1
        }
    }

    /// The checks once every record is replayed: the entries run from the first index on.
    func checkComplete() throws {
        guard base <= snapshotIndex + 1 else {
            throw StorageError.inconsistentLog(
                "entries \(snapshotIndex + 1) to \(base - 1) are missing (the oldest segment starts at \(base))")
        }
    }

    /// Moves segments whose entries are all at or before the compaction point to `deadSegments`:
    /// a segment can go once the next one starts at or before the first index (its start record
    /// carries the hard state and compaction point, so nothing else is lost). Never the last.
    mutating func collectDeadSegments() {
        while segments.count >= 2, segments[1].start.nextIndex <= snapshotIndex + 1 {
            deadSegments.append(segments.removeFirst())
        }
    }
}
