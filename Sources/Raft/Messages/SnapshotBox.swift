/// Immutable holder of a message's snapshot.
final class SnapshotBox: Sendable, Hashable {
    let snapshot: Snapshot

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
    }

    static func == (lhs: SnapshotBox, rhs: SnapshotBox) -> Bool { lhs.snapshot == rhs.snapshot }
    func hash(into hasher: inout Hasher) { hasher.combine(snapshot) }
}
