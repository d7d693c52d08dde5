/// Opening a segment log: every segment is read in sequence order, every record CRC-checked, and
/// the records of complete writes replayed (`SegmentLogState.apply`). Rules (docs/storage.md,
/// "A Raft log in segment files"):
///
/// 1. A write is complete when its last record (type flagged "ends a write") is valid: a write
///    torn by a crash is dropped as a whole, so one `append` is atomic like a RocksDB batch.
/// 2. In the last segment in use, what follows the last complete write is a torn tail when no
///    complete later write follows it; it is zeroed (and synced) before anything is appended, so
///    stale bytes can never look valid after later writes.
/// 3. Damage followed by a complete later write, or damage in a segment that a segment in use
///    follows, is corruption of synced data: the log refuses to open.
/// 4. A last segment without a complete start write is the spare (made, or a roll torn by a
///    crash); it is zeroed where it is not zero and kept as the spare.
enum SegmentLogRecovery {
    struct Recovered {
        var state: SegmentLogState
        var spare: SpareSegments.Spare?
        var nextSequence: UInt64
    }

    /// What one segment holds beyond its complete writes.
    struct Scan {
        /// The offset after the last complete write (0: not even the start record is complete).
        var end = 0
        /// Past the last byte that is not zero (`end` when the rest is zero).
        var dirtyEnd = 0
        /// Why the scan stopped at `damage`, when bytes that are not zero follow `end`.
        var damage = 0
        var reason = ""
        /// A complete write follows the damage.
        var laterWrite = false
    }

    static func recover(directory: String, fileSystem: any SegmentFileSystem) throws -> Recovered {
        try fileSystem.createDirectory(directory)
        let names = try fileSystem.fileNames(in: directory)
        for name in names where name.hasSuffix(".wal.tmp") { try fileSystem.removeFile(directory + "/" + name) }
        let sequences = names.compactMap(SpareSegments.sequence(inName:)).sorted()
        guard sequences.count <= SegmentLogOptions.maxSegments else {
            throw StorageError.inconsistentLog(
                "\(sequences.count) segment files in \(directory), more than \(SegmentLogOptions.maxSegments)")
        }
        for (previous, next) in zip(sequences, sequences.dropFirst()) where next != previous + 1 {
            throw StorageError.inconsistentLog(
                "segment files \(SpareSegments.name(of: previous)) and \(SpareSegments.name(of: next)) are not"
                    + " consecutive: the segments between them are missing")
        }
        var state = SegmentLogState()
        var spare: SpareSegments.Spare?
        do {
            spare = try replay(sequences, directory: directory, fileSystem: fileSystem, into: &state)
            try state.checkComplete()
        } catch {
            for segment in state.segments { segment.file.close() }
            throw error
        }
        state.collectDeadSegments()
        return Recovered(state: state, spare: spare, nextSequence: spare?.sequence ?? (sequences.last ?? 0) + 1)
    }

    private static func replay(
        _ sequences: [UInt64], directory: String, fileSystem: any SegmentFileSystem, into state: inout SegmentLogState
    ) throws -> SpareSegments.Spare? {
        var damaged: (file: any SegmentFile, scan: Scan, error: StorageError)?
        var spare: SpareSegments.Spare?
        for (position, sequence) in sequences.enumerated() {
            let path = directory + "/" + SpareSegments.name(of: sequence)
            let file = try fileSystem.openFile(path)
            let capacity = try file.size()
            guard capacity <= SegmentLogOptions.maxSegmentBytes, capacity % SegmentRecord.alignment == 0 else {
                file.close()
                throw StorageError.inconsistentLog("\(path) has \(capacity) bytes: not a segment this build wrote")
            }
            let bytes = try file.read(count: capacity, at: 0)
            let scan: Scan
            do {
                if let damaged {
                    // Only the spare may follow a damaged segment: a complete write here (even
                    // one the damaged log cannot account for) says the damage was synced.
                    var scratch = state
                    let found = try? self.scan(bytes[...], sequence: sequence, into: &scratch)
                    if found?.end ?? 1 > 0 { throw damaged.error }
                }
                scan = try self.scan(bytes[...], sequence: sequence, into: &state)
            } catch {
                file.close()
                throw error
            }
            if scan.end == 0 {
                guard position == sequences.count - 1 else {
                    file.close()
                    throw StorageError.inconsistentLog(
                        "\(path) has no start record (\(scan.reason)) but later segments follow it")
                }
                try repair(file, from: 0, to: scan.dirtyEnd)
                spare = SpareSegments.Spare(sequence: sequence, file: file, capacity: capacity)
                continue
            }
            var start: SegmentStart?
            if case .record(.start(let found), _, _) = SegmentRecord.decode(bytes[...], at: 0) { start = found }
            state.segments.append(OpenSegment(sequence: sequence, file: file, capacity: capacity, start: start!))
            state.tailOffset = scan.end
            if scan.dirtyEnd > scan.end {
                let error = StorageError.corruptEntry(
                    index: state.lastIndex + 1,
                    reason: "\(SegmentLogState.place(sequence, scan.damage)): \(scan.reason), and written data follows")
                if scan.laterWrite { throw error }
                damaged = (file, scan, error)
            }
        }
        if let damaged { try repair(damaged.file, from: damaged.scan.end, to: damaged.scan.dirtyEnd) }
        return spare
    }

    /// Zeroes a torn tail and syncs it before anything is appended after it.
    private static func repair(_ file: any SegmentFile, from start: Int, to end: Int) throws {
        guard end > start else { return }
        try file.writeZeros(start..<end)
        try file.syncData()
    }

    /// Replays the complete writes of one segment into `state` and describes what follows them.
    static func scan(_ bytes: ArraySlice<UInt8>, sequence: UInt64, into state: inout SegmentLogState) throws -> Scan {
        var result = Scan()
        var pending: [(record: SegmentRecord, offset: Int)] = []
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            guard case .record(let record, let size, let endsWrite) = SegmentRecord.decode(bytes, at: offset) else {
                break
            }
            let isStart: Bool
            if case .start = record { isStart = true } else { isStart = false }
            guard isStart == (offset == bytes.startIndex) else { break }
            pending.append((record, offset))
            offset += size
            if endsWrite {
                for (record, at) in pending {
                    try state.apply(record, sequence: sequence, offset: at - bytes.startIndex)
                }
                pending.removeAll()
                result.end = offset - bytes.startIndex
            }
        }
        result.damage = offset - bytes.startIndex
        result.dirtyEnd = max(result.end, lastNonZero(bytes) - bytes.startIndex)
        guard result.dirtyEnd > result.end else { return result }
        switch SegmentRecord.decode(bytes, at: offset) {
        case .invalid(let reason): result.reason = reason
        case .end: result.reason = pending.isEmpty ? "a zero header" : "a write without its last record"
        case .record: result.reason = "a record out of place"
        }
        result.laterWrite = completeWriteFollows(bytes, after: offset)
        return result
    }

    /// Whether a valid record follows the first valid write-ending record after `offset`: a
    /// write made after the one damaged at `offset` was complete, so the damage is not a torn tail.
    private static func completeWriteFollows(_ bytes: ArraySlice<UInt8>, after offset: Int) -> Bool {
        var position = offset + SegmentRecord.alignment
        var endOfTornWrite = false
        var steps = 0
        while position + SegmentRecord.headerBytes <= bytes.endIndex, steps < bytes.count {
            steps += 1
            if bytes[position] == 0 && bytes[position + 1] == 0 && bytes[position + 2] == 0
                && bytes[position + 3] == 0
            {
                position += SegmentRecord.alignment
                continue
            }
            guard case .record(_, let size, let endsWrite) = SegmentRecord.decode(bytes, at: position) else {
                position += SegmentRecord.alignment
                continue
            }
            if endOfTornWrite { return true }
            endOfTornWrite = endsWrite
            position += size
        }
        return false
    }

    /// The index past the last byte that is not zero (`startIndex` when all are zero).
    static func lastNonZero(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { raw in
            var end = raw.count
            while end >= 8, raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
            while end > 0, raw[end - 1] == 0 { end -= 1 }
            return bytes.startIndex + end
        }
    }
}
