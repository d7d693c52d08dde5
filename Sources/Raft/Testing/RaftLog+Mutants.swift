// The broken paths of the log's mutations (see `Mutations`), kept out of the real ones.
extension RaftLog {
    /// `keepConflictingSuffix`: only entries beyond the current end are added; conflicting
    /// ones stay.
    func appendKeepingConflicts(_ newEntries: ArraySlice<Entry>) {
        let last = lastIndex()
        let beyond = newEntries.filter { $0.index > last }
        if !beyond.isEmpty { append(Array(beyond)) }
    }

    /// `commitUnverifiedEntries`: the follower commits up to the leader's commit index bounded
    /// only by its own last index, not by the last entry verified to match (`lastNew`).
    func commitUnverified(_ commit: UInt64, lastNew: UInt64) -> UInt64 {
        commitTo(min(commit, lastIndex()))
        return lastNew
    }

    /// `commitEarlierTermByCounting` (the figure-8 bug): commits `index` whatever its term.
    func commitByCounting(_ index: UInt64) -> Bool {
        guard index > committed else { return false }
        commitTo(index)
        return true
    }
}
