import Raft

/// The wire form of a Raft `Message`:
/// kind u8 · from u64 · to u64 · term u64 · logTerm u64 · index u64 · commit u64 ·
/// flags u8 (bit 0 reject, bit 1 transfer, bit 2 snapshot follows) · rejectHint u64 ·
/// readRound u64 · context (u32 length + bytes) · entry count u32 · entries · [snapshot].
/// Entry: term u64 · index u64 · kind u8 · data (u32 length + bytes).
/// Snapshot: index u64 · term u64 · voters (u32 count + u64s) · learners (likewise) · data.
enum MessageCoding {
    static let minimumMessageBytes = 1 + 8 * 6 + 1 + 8 * 2 + 4 + 4
    static let minimumEntryBytes = 8 + 8 + 1 + 4

    private static let rejectFlag: UInt8 = 1
    private static let transferFlag: UInt8 = 2
    private static let snapshotFlag: UInt8 = 4

    static func encode(_ message: Message, into writer: inout ByteWriter, limits: WireLimits) throws(WireError) {
        try check("entries", message.entries.count, limits.maxEntriesPerMessage)
        try check("context", message.context.count, limits.maxContextBytes)
        writer.u8(message.kind.rawValue)
        for value in [message.from, message.to] { writer.u64(value) }
        for (field, value) in [
            ("term", message.term), ("logTerm", message.logTerm), ("index", message.index),
            ("commit", message.commit),
        ] {
            try check(field, value, limits.maxIndex)
            writer.u64(value)
        }
        var flags: UInt8 = 0
        if message.reject { flags |= rejectFlag }
        if message.isTransfer { flags |= transferFlag }
        if message.snapshot != nil { flags |= snapshotFlag }
        writer.u8(flags)
        try check("rejectHint", message.rejectHint, limits.maxIndex)
        writer.u64(message.rejectHint)
        writer.u64(message.readRound)
        writer.blob(message.context)
        writer.u32(UInt32(message.entries.count))
        for entry in message.entries {
            try check("entry term", entry.term, limits.maxIndex)
            try check("entry index", entry.index, limits.maxIndex)
            try check("entry data", entry.data.count, limits.maxEntryBytes)
            writer.u64(entry.term)
            writer.u64(entry.index)
            writer.u8(entry.kind.rawValue)
            writer.blob(entry.data)
        }
        if let snapshot = message.snapshot { try encode(snapshot, into: &writer, limits: limits) }
    }

    static func decode(from reader: inout ByteReader, limits: WireLimits) throws(WireError) -> Message {
        let rawKind = try reader.u8("message kind")
        guard let kind = MessageKind(rawValue: rawKind) else {
            throw .unknownTag(field: "message kind", value: rawKind)
        }
        var message = Message(kind: kind, from: try reader.u64("from"), to: try reader.u64("to"), term: 0)
        message.term = try reader.u64("term", atMost: limits.maxIndex)
        message.logTerm = try reader.u64("logTerm", atMost: limits.maxIndex)
        message.index = try reader.u64("index", atMost: limits.maxIndex)
        message.commit = try reader.u64("commit", atMost: limits.maxIndex)
        let flags = try reader.u8("flags")
        guard flags & ~(rejectFlag | transferFlag | snapshotFlag) == 0 else {
            throw .invalidValue(field: "flags", reason: "has unknown bits set (\(flags))")
        }
        message.reject = flags & rejectFlag != 0
        message.isTransfer = flags & transferFlag != 0
        message.rejectHint = try reader.u64("rejectHint", atMost: limits.maxIndex)
        message.readRound = try reader.u64("readRound")
        message.context = try reader.blob("context", limit: limits.maxContextBytes)
        let count = try reader.count(
            "entry count", limit: limits.maxEntriesPerMessage, minimumItemBytes: minimumEntryBytes)
        message.entries.reserveCapacity(count)
        for _ in 0..<count { message.entries.append(try decodeEntry(from: &reader, limits: limits)) }
        if flags & snapshotFlag != 0 { message.snapshot = try decodeSnapshot(from: &reader, limits: limits) }
        return message
    }

    private static func decodeEntry(from reader: inout ByteReader, limits: WireLimits) throws(WireError) -> Entry {
        let term = try reader.u64("entry term", atMost: limits.maxIndex)
        let index = try reader.u64("entry index", atMost: limits.maxIndex)
        let rawKind = try reader.u8("entry kind")
        guard let kind = EntryKind(rawValue: rawKind) else { throw .unknownTag(field: "entry kind", value: rawKind) }
        return Entry(
            term: term, index: index, kind: kind, data: try reader.blob("entry data", limit: limits.maxEntryBytes))
    }

    private static func encode(_ snapshot: Snapshot, into writer: inout ByteWriter, limits: WireLimits)
        throws(WireError)
    {
        try check("snapshot index", snapshot.metadata.index, limits.maxIndex)
        try check("snapshot term", snapshot.metadata.term, limits.maxIndex)
        try check("voters", snapshot.metadata.conf.voters.count, limits.maxMembers)
        try check("learners", snapshot.metadata.conf.learners.count, limits.maxMembers)
        try check("snapshot data", snapshot.data.count, limits.maxEntryBytes)
        writer.u64(snapshot.metadata.index)
        writer.u64(snapshot.metadata.term)
        for members in [snapshot.metadata.conf.voters, snapshot.metadata.conf.learners] {
            writer.u32(UInt32(members.count))
            for member in members { writer.u64(member) }
        }
        writer.blob(snapshot.data)
    }

    private static func decodeSnapshot(from reader: inout ByteReader, limits: WireLimits) throws(WireError)
        -> Snapshot
    {
        var metadata = SnapshotMetadata()
        metadata.index = try reader.u64("snapshot index", atMost: limits.maxIndex)
        metadata.term = try reader.u64("snapshot term", atMost: limits.maxIndex)
        metadata.conf.voters = try decodeMembers("voters", from: &reader, limits: limits)
        metadata.conf.learners = try decodeMembers("learners", from: &reader, limits: limits)
        return Snapshot(metadata: metadata, data: try reader.blob("snapshot data", limit: limits.maxEntryBytes))
    }

    private static func decodeMembers(_ field: String, from reader: inout ByteReader, limits: WireLimits)
        throws(WireError) -> [NodeID]
    {
        let count = try reader.count(field, limit: limits.maxMembers, minimumItemBytes: 8)
        var members: [NodeID] = []
        members.reserveCapacity(count)
        for _ in 0..<count { members.append(try reader.u64(field)) }
        return members
    }

    /// Refuses to encode what the receiving decoder would refuse.
    static func check(_ field: String, _ value: Int, _ limit: Int) throws(WireError) {
        guard value <= limit else { throw .limitExceeded(field: field, value: UInt64(value), limit: UInt64(limit)) }
    }

    static func check(_ field: String, _ value: UInt64, _ limit: UInt64) throws(WireError) {
        guard value <= limit else { throw .limitExceeded(field: field, value: value, limit: limit) }
    }
}
