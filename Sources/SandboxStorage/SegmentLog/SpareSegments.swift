import Foundation

/// The next segment file, made before it is needed: zero-filled to its full size, synced, and
/// renamed from a temporary name (so a half-made file is never taken for a segment), with the
/// directory synced. Appending into it then changes neither its size nor its extents, so a
/// `fdatasync` flushes the data alone. Made in the background (`prepare`), it is filled and synced
/// a piece at a time with pauses (`SegmentLogOptions.fillPieceBytes`), so that the appends' syncs
/// never queue behind a whole segment's writes.
///
/// Lock order: the log's state lock, then this one. `prepare` (the owner's background thread)
/// takes only this one; `take` (the append path, under the state lock) waits for a creation in
/// progress rather than making a second file.
final class SpareSegments: Sendable {
    struct Spare {
        var sequence: UInt64
        var file: any SegmentFile
        var capacity: Int
    }

    private struct State {
        /// The sequence the next segment gets.
        var nextSequence: UInt64
        var ready: Spare?
        var closed = false
    }

    let directory: String
    let fileSystem: any SegmentFileSystem
    let segmentBytes: Int
    /// The piece a background fill writes and syncs before each pause.
    let fillPieceBytes: Int
    private let state: Locked<State>

    init(
        directory: String, fileSystem: any SegmentFileSystem, segmentBytes: Int, fillPieceBytes: Int,
        nextSequence: UInt64, ready: Spare?
    ) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.segmentBytes = segmentBytes
        self.fillPieceBytes = max(SegmentLogOptions.minSegmentBytes, fillPieceBytes)
        state = Locked(State(nextSequence: nextSequence, ready: ready))
    }

    static func name(of sequence: UInt64) -> String {
        let digits = String(sequence, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".wal"
    }

    func path(of sequence: UInt64) -> String { directory + "/" + Self.name(of: sequence) }

    /// The sequence in a segment file's name, or nil for another file.
    static func sequence(inName name: String) -> UInt64? {
        guard name.utf8.count == 20, name.hasSuffix(".wal") else { return nil }
        return UInt64(name.prefix(16), radix: 16)
    }

    /// Makes the spare if none is ready (off the append path).
    func prepare() throws {
        try state.withLock { state in
            guard !state.closed, state.ready == nil else { return }
            state.ready = try make(sequence: state.nextSequence, capacity: segmentBytes, paced: true)
        }
    }

    /// The next segment, of at least `minimumBytes`: the ready spare, or one made now.
    func take(minimumBytes: Int) throws -> Spare {
        try state.withLock { state in
            if let ready = state.ready, ready.capacity < minimumBytes {
                ready.file.close()
                try fileSystem.removeFile(path(of: ready.sequence))
                state.ready = nil
            }
            let capacity = max(segmentBytes, (minimumBytes + 4095) / 4096 * 4096)
            let spare = try state.ready ?? make(sequence: state.nextSequence, capacity: capacity, paced: false)
            state.ready = nil
            state.nextSequence = spare.sequence + 1
            return spare
        }
    }

    func close() {
        state.withLock { state in
            state.ready?.file.close()
            state.ready = nil
            state.closed = true
        }
    }

    private func make(sequence: UInt64, capacity: Int, paced: Bool) throws -> Spare {
        guard capacity <= SegmentLogOptions.maxSegmentBytes else {
            throw StorageError.tooLarge(
                what: "segment log write", size: capacity, limit: SegmentLogOptions.maxSegmentBytes)
        }
        let path = path(of: sequence)
        let temporary = path + ".tmp"
        try? fileSystem.removeFile(temporary)
        let file = try fileSystem.createFile(temporary)
        do {
            if paced {
                try fillPaced(file, capacity: capacity)
            } else {
                try file.writeZeros(0..<capacity)
            }
            try file.sync()
            try fileSystem.rename(temporary, to: path)
            try fileSystem.syncDirectory(directory)
        } catch {
            file.close()
            throw error
        }
        return Spare(sequence: sequence, file: file, capacity: capacity)
    }

    /// Zero-fills `file` a piece at a time, each piece synced, then a pause as long as the piece
    /// took (at most `SegmentLogOptions.maxFillPause`); none after the last piece.
    private func fillPaced(_ file: any SegmentFile, capacity: Int) throws {
        let clock = ContinuousClock()
        var offset = 0
        while offset < capacity {
            let end = min(capacity, offset + fillPieceBytes)
            let took = try clock.measure {
                try file.writeZeros(offset..<end)
                try file.syncData()
            }
            offset = end
            if (offset < capacity) && (took > .zero) { Thread.sleep(forTimeInterval: pause(after: took)) }
        }
    }

    private func pause(after took: Duration) -> TimeInterval {
        let pause = min(took, SegmentLogOptions.maxFillPause).components
        return TimeInterval(pause.seconds) + TimeInterval(pause.attoseconds) / 1e18
    }
}
