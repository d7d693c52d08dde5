import Raft

/// How a leader tells a follower that it needs a snapshot: each heartbeat to a follower whose
/// replication waits for one (Raft's `.snapshot` state: the request held, streaming, or sent and
/// not yet installed) carries in its `context` `s`, 1 and the leader's compaction point (u64,
/// big-endian), which every snapshot the leader sends reaches.
///
/// A follower's commit index is capped at what its log holds, and the heartbeats to a follower
/// that waits for a snapshot confirm only its old match: alone it sees its commit index applied
/// and looks caught up (issue 11). Raft leaves a heartbeat's context empty and ignores it, in
/// this release and the ones before, so the mark needs no frame of its own: a cluster mixing
/// releases (a rolling upgrade) keeps talking, where an older node would close the connection
/// on a frame kind it does not know.
enum SnapshotNeededMark {
    private static let mark = ContextMark(tag: 0x01, kind: .heartbeat)

    static func context(index: UInt64) -> [UInt8] { mark.context(index) }

    /// The compaction point a marked heartbeat carries (nil: not a heartbeat, or not marked).
    static func index(in message: Message) -> UInt64? { mark.value(in: message) }
}

/// A number a leader puts in the `context` of a Raft message whose context Raft leaves empty and
/// ignores: `s`, a tag naming what the number is, the number (u64, big-endian). Only a message of
/// `kind` with exactly that shape carries one; anything else carries none.
struct ContextMark {
    let tag: UInt8
    let kind: MessageKind

    func context(_ value: UInt64) -> [UInt8] {
        [0x73, tag] + (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    func value(in message: Message) -> UInt64? {
        let context = message.context
        guard message.kind == kind, context.count == 10, context[context.startIndex] == 0x73,
            context[context.startIndex + 1] == tag
        else { return nil }
        return context.dropFirst(2).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension RaftDriver {
    /// `message` as it goes out: a heartbeat to a follower Raft must send a snapshot is marked
    /// (`SnapshotNeededMark`).
    func markingSnapshotNeeded(_ message: Message) -> Message {
        guard message.kind == .heartbeat, message.context.isEmpty, node.firstIndex > 1,
            node.replicationState(of: message.to)?.state == .snapshot
        else { return message }
        var marked = message
        marked.context = SnapshotNeededMark.context(index: node.firstIndex - 1)
        return marked
    }
}
