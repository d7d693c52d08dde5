import Foundation
import Raft
import Testing

@testable import SandboxCluster

/// The wait before streaming again to a follower whose snapshot transfer failed or was lost: a
/// member that stays down costs one snapshot read per wait, and one that comes back is served at
/// once.
@Suite struct SnapshotRetriesTests {
    @Test func waitsDoubleUpToTheCapAndEndWhenThePeerIsHeardFrom() {
        var retries = SnapshotRetries(initialDelay: .milliseconds(250), maximumDelay: .seconds(2))
        let start = ContinuousClock.now
        #expect(retries.mayStart(to: 2, now: start))
        let delays = (0..<6).map { _ in retries.failed(to: 2, now: start) }
        #expect(delays == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2)])
        #expect(!retries.mayStart(to: 2, now: start + .milliseconds(1_999)))
        #expect(retries.mayStart(to: 2, now: start + .seconds(2)))
        #expect(retries.mayStart(to: 3, now: start))  // each peer its own wait
        retries.heard(from: 2)
        #expect(retries.mayStart(to: 2, now: start))
        #expect(retries.failed(to: 2, now: start) == .seconds(2))  // the failures still count
        retries.succeeded(to: 2)
        #expect(retries.failed(to: 2, now: start) == .milliseconds(250))
    }

    @Test func aRequestDuringAWaitIsHeldUntilTheWaitEndsOrThePeerIsHeardFrom() {
        var retries = SnapshotRetries(initialDelay: .milliseconds(250), maximumDelay: .seconds(2))
        let start = ContinuousClock.now
        let request = Message(kind: .snapshot, from: 1, to: 2, term: 5)
        retries.failed(to: 2, now: start)
        let first = retries.hold(request)
        let second = retries.hold(request)
        #expect(first && !second)  // one per peer: the latest
        #expect(retries.due(now: start + .milliseconds(249), term: 5).isEmpty)
        #expect(retries.due(now: start + .milliseconds(250), term: 5).map(\.to) == [2])
        #expect(retries.due(now: start + .seconds(1), term: 5).isEmpty)  // taken out once
        // Back before the wait is over: served at the next tick.
        retries.failed(to: 2, now: start)
        retries.hold(request)
        retries.heard(from: 2)
        #expect(retries.due(now: start, term: 5).map(\.to) == [2])
        // Held into another term: that leadership's Raft no longer waits for it.
        retries.failed(to: 2, now: start)
        retries.hold(request)
        #expect(retries.due(now: start + .seconds(10), term: 6).isEmpty && retries.held.isEmpty)
    }
}
