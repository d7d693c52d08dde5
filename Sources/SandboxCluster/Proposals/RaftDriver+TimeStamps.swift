import Raft

/// Entry time is the leader's: the leader stamps every command it proposes (its own and those
/// forwarded to it) with its wall time, never earlier than the newest stamp in its log, so that
/// time never goes back along the log whatever the clocks of the nodes that received the
/// requests (the state machine's time windows are driven by entry time).
extension RaftDriver {
    /// The newest time stamp among the last `limit` entries of the log (0 if none): where a
    /// node that restarts continues from.
    func newestTimeStampInLog(limit: UInt64 = 1_024) -> UInt64 {
        let last = node.lastIndex
        let first = max(node.firstIndex, last >= limit ? last - limit + 1 : 1)
        guard first <= last, let entries = node.entries(from: first, to: last + 1) else { return 0 }
        return entries.reduce(0) { max($0, Machine.timeStamp(of: $1.data) ?? 0) }
    }

    /// Notes the stamps of entries that entered this node's log.
    func noteTimeStamps(of entries: [Entry]) {
        for entry in entries {
            if let stamp = Machine.timeStamp(of: entry.data), stamp > newestTimeStamp { newestTimeStamp = stamp }
        }
    }

    /// The stamp for the commands the leader proposes now.
    func nextTimeStamp() -> UInt64 {
        newestTimeStamp = max(config.wallClockMillis(), newestTimeStamp)
        return newestTimeStamp
    }
}
