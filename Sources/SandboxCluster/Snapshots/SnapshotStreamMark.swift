import Raft
import SandboxWire

/// How a leader numbers its snapshot streams on the wire: the `.snapshot` message every chunk
/// carries has in its `context` `s`, 2 and the stream's number (u64, big-endian; one per stream
/// this leader started, `SnapshotTransfers.started`).
///
/// Term and index name a snapshot, not a stream: a follower's late `snapshotAbandoned` about one
/// stream would also end the leader's next stream of the same snapshot. With the number the
/// notice names its stream. Raft leaves a snapshot message's context empty and ignores it, in
/// this release and the ones before, so the chunk frame keeps its layout: a follower of an
/// earlier release installs a numbered stream as before (and answers with an unnumbered notice,
/// kind 8, which the leader matches by term and index alone), and a follower of this release
/// answers a leader of an earlier release, whose chunks carry no number, with kind 8 too.
enum SnapshotStreamMark {
    private static let mark = ContextMark(tag: 0x02, kind: .snapshot)

    static func context(stream: UInt64) -> [UInt8] { mark.context(stream) }

    /// The stream number a snapshot message carries (nil: not numbered).
    static func stream(in message: Message) -> UInt64? { mark.value(in: message) }
}

extension SnapshotChunkFrame {
    /// The notice that abandons this chunk's stream: its leader's term, the snapshot's index and
    /// the stream's number if the leader numbered it.
    var abandoningNotice: SnapshotNotice {
        SnapshotNotice(
            term: message.term, index: message.snapshot?.metadata.index ?? 0,
            stream: SnapshotStreamMark.stream(in: message))
    }
}
