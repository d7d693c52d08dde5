import Raft

/// Value formats of everything SandboxStorage writes (docs/storage.md, "Value formats").
/// Every record starts with a format byte and ends with a CRC-32C of all bytes before it.
enum RecordCodec {
    static let formatVersion: UInt8 = 1
    /// Format byte + kind + term + index before the data, CRC after.
    static let entryOverhead = 1 + 1 + 8 + 8 + 4

    // MARK: log entries

    static func encode(_ entry: Entry) -> [UInt8] {
        var record: [UInt8] = []
        encode(entry, into: &record)
        return record
    }

    /// Encodes into `record`, replacing its contents (reuses its storage across entries).
    static func encode(_ entry: Entry, into record: inout [UInt8]) {
        record.removeAll(keepingCapacity: true)
        record.reserveCapacity(entryOverhead + entry.data.count)
        record.append(formatVersion)
        record.append(entry.kind.rawValue)
        record.appendBigEndian(entry.term)
        record.appendBigEndian(entry.index)
        record.append(contentsOf: entry.data)
        record.appendBigEndian(CRC32C.checksum(record))
    }

    /// Decodes and verifies the record stored under log key `index`.
    static func decodeEntry(_ bytes: UnsafeRawBufferPointer, at index: UInt64) throws -> Entry {
        let (kind, term) = try checkEntry(bytes, at: index)
        let data = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[18..<bytes.count - 4]))
        return Entry(term: term, index: index, kind: kind, data: data)
    }

    private static func checkEntry(_ bytes: UnsafeRawBufferPointer, at index: UInt64) throws -> (
        kind: EntryKind, term: UInt64
    ) {
        guard bytes.count >= entryOverhead else {
            throw StorageError.corruptEntry(index: index, reason: "record of \(bytes.count) bytes is too short")
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[0..<bytes.count - 4])
        let stored = readUInt32(bytes, at: bytes.count - 4)
        let computed = CRC32C.checksum(body)
        guard stored == computed else {
            throw StorageError.corruptEntry(
                index: index, reason: "checksum mismatch: stored \(hex(stored)), computed \(hex(computed))")
        }
        guard bytes[0] == formatVersion else {
            throw StorageError.corruptEntry(index: index, reason: "unknown record format \(bytes[0])")
        }
        guard let kind = EntryKind(rawValue: bytes[1]) else {
            throw StorageError.corruptEntry(index: index, reason: "unknown entry kind \(bytes[1])")
        }
        let storedIndex = readUInt64(bytes, at: 10)
        guard storedIndex == index else {
            throw StorageError.corruptEntry(index: index, reason: "record holds entry \(storedIndex)")
        }
        return (kind, readUInt64(bytes, at: 2))
    }

    static func decodeEntry(_ bytes: [UInt8], at index: UInt64) throws -> Entry {
        try bytes.withUnsafeBytes { try decodeEntry($0, at: index) }
    }

    // MARK: metadata records

    static func encode(_ state: HardState) -> [UInt8] {
        seal { writer in
            writer.append(state.term)
            writer.append(state.vote)
            writer.append(state.commit)
        }
    }

    static func decodeHardState(_ bytes: [UInt8]) throws -> HardState {
        try unseal(bytes, name: "hard state") { reader in
            guard let term = reader.readUInt64(), let vote = reader.readUInt64(), let commit = reader.readUInt64()
            else { return nil }
            return HardState(term: term, vote: vote, commit: commit)
        }
    }

    static func encode(_ conf: ConfState) -> [UInt8] {
        seal { append(conf, to: &$0) }
    }

    static func decodeConfState(_ bytes: [UInt8]) throws -> ConfState {
        try unseal(bytes, name: "membership") { readConf(&$0) }
    }

    static func encode(_ metadata: SnapshotMetadata) -> [UInt8] {
        seal { writer in
            writer.append(metadata.index)
            writer.append(metadata.term)
            append(metadata.conf, to: &writer)
        }
    }

    static func decodeSnapshotMetadata(_ bytes: [UInt8]) throws -> SnapshotMetadata {
        try unseal(bytes, name: "snapshot metadata") { reader in
            guard let index = reader.readUInt64(), let term = reader.readUInt64(), let conf = readConf(&reader)
            else { return nil }
            return SnapshotMetadata(index: index, term: term, conf: conf)
        }
    }

    static func encode(number: UInt64) -> [UInt8] {
        seal { $0.append(number) }
    }

    static func decodeNumber(_ bytes: [UInt8], name: String) throws -> UInt64 {
        try unseal(bytes, name: name) { $0.readUInt64() }
    }

    // MARK: helpers

    private static func seal(_ body: (inout ByteWriter) -> Void) -> [UInt8] {
        var writer = ByteWriter()
        writer.append(formatVersion)
        body(&writer)
        writer.appendChecksum()
        return writer.bytes
    }

    /// Verifies the checksum and format byte, then decodes the body; the body must consume it all.
    private static func unseal<Value>(
        _ bytes: [UInt8], name: String, _ body: (inout ByteReader) -> Value?
    ) throws -> Value {
        guard bytes.count >= 5 else {
            throw StorageError.corruptRecord(name: name, reason: "record of \(bytes.count) bytes is too short")
        }
        let stored = bytes.withUnsafeBytes { readUInt32($0, at: bytes.count - 4) }
        let computed = CRC32C.checksum(bytes[0..<bytes.count - 4])
        guard stored == computed else {
            throw StorageError.corruptRecord(
                name: name, reason: "checksum mismatch: stored \(hex(stored)), computed \(hex(computed))")
        }
        guard bytes[0] == formatVersion else {
            throw StorageError.corruptRecord(name: name, reason: "unknown record format \(bytes[0])")
        }
        var reader = ByteReader(bytes[1..<bytes.count - 4])
        guard let value = body(&reader), reader.remaining == 0 else {
            throw StorageError.corruptRecord(name: name, reason: "malformed body")
        }
        return value
    }

    /// Largest membership list accepted when decoding (a cluster has a handful of nodes).
    static let maxMembers = 1024

    private static func append(_ conf: ConfState, to writer: inout ByteWriter) {
        writer.append(UInt32(conf.voters.count))
        conf.voters.forEach { writer.append($0) }
        writer.append(UInt32(conf.learners.count))
        conf.learners.forEach { writer.append($0) }
    }

    private static func readConf(_ reader: inout ByteReader) -> ConfState? {
        func readList() -> [NodeID]? {
            guard let count = reader.readUInt32(), count <= maxMembers else { return nil }
            var list: [NodeID] = []
            for _ in 0..<count {
                guard let id = reader.readUInt64() else { return nil }
                list.append(id)
            }
            return list
        }
        guard let voters = readList(), let learners = readList() else { return nil }
        return ConfState(voters: voters, learners: learners)
    }

    static func readUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        (offset..<offset + 4).reduce(0) { $0 << 8 | UInt32(bytes[$1]) }
    }

    static func readUInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        (offset..<offset + 8).reduce(0) { $0 << 8 | UInt64(bytes[$1]) }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
