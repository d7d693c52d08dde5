import Raft

/// Reads entries from the segments with one `pread` per run of entries in the same segment
/// (at most `maxReadBytes` per read), verifying each record against its location in memory.
enum SegmentReader {
    static let maxReadBytes = 1 << 20

    static func read(_ indexes: Range<UInt64>, in state: SegmentLogState) throws -> [Entry] {
        var result: [Entry] = []
        result.reserveCapacity(indexes.count)
        var index = indexes.lowerBound
        while index < indexes.upperBound {
            guard let first = state.location(of: index) else {
                throw StorageError.inconsistentLog("no location known for entry \(index)")
            }
            var last = index
            var lastLocation = first
            while last + 1 < indexes.upperBound, let next = state.location(of: last + 1),
                next.sequence == first.sequence, next.offset > lastLocation.offset,
                Int(next.offset) + next.recordBytes - Int(first.offset) <= maxReadBytes
            {
                last += 1
                lastLocation = next
            }
            guard let segment = state.segment(first.sequence) else {
                throw StorageError.inconsistentLog("entry \(index) is in segment \(first.sequence), which is not open")
            }
            let span = Int(lastLocation.offset) + lastLocation.recordBytes - Int(first.offset)
            let bytes = try segment.file.read(count: span, at: Int(first.offset))
            for entryIndex in index...last {
                let location = state.location(of: entryIndex)!
                result.append(try decode(bytes[...], at: Int(location.offset - first.offset), entryIndex, location))
            }
            index = last + 1
        }
        return result
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, at offset: Int, _ index: UInt64, _ location: EntryLocation)
        throws -> Entry
    {
        let place = SegmentLogState.place(location.sequence, Int(location.offset))
        switch SegmentRecord.decode(bytes, at: offset) {
        case .record(.entry(let storedIndex, let term, let kind, let data), _, _):
            guard storedIndex == index, term == location.term, data.count == location.dataBytes else {
                throw StorageError.corruptEntry(
                    index: index, reason: "\(place): the record holds entry \(storedIndex) of term \(term)")
            }
            return Entry(term: term, index: index, kind: kind, data: Array(data))
        case .invalid(let reason):
            throw StorageError.corruptEntry(index: index, reason: "\(place): \(reason)")
        default:
            throw StorageError.corruptEntry(index: index, reason: "\(place): no entry record there")
        }
    }
}
