import ClusterTestSupport
import Foundation
import Raft
@_spi(Testing) import SandboxCluster
import Testing

/// The runtime loop's persistence order (`docs/raft.md`): an acknowledgement leaves only once
/// the entries it vouches for are durable. The broken variant (`DriverTestSeam.sendBeforePersist`)
/// must be caught by the property "no acknowledged write is lost".
///
/// The scenario, per seed: a leader L and followers F and G; G is cut off; F crashes at the
/// instant of its next log write (the write never happens, as with a power loss before the
/// sync); a write is proposed on L. If it is acknowledged, L is killed, F restarts from its
/// store, G comes back, and the new majority (F, G) must still have the write.
@Suite(.serialized, .timeLimit(.minutes(10))) struct RuntimeMutationTests {
    static let seeds: [UInt64] = Array(1...(ProcessInfo.processInfo.environment["LONG"] == "1" ? 20 : 4))

    struct SimulatedCrash: Error {}

    /// Which node crashes at its next entries write. `@unchecked Sendable`: under `lock`.
    final class CrashSwitch: @unchecked Sendable {
        private let lock = NSLock()
        private var armed: NodeID = 0

        func arm(_ node: NodeID) { lock.withLock { armed = node } }

        func check(_ node: NodeID) throws {
            if lock.withLock({ armed == node }) { throw SimulatedCrash() }
        }
    }

    /// Whether the scenario lost an acknowledged write (nil: the write was not acknowledged).
    static func losesAcknowledgedWrite(seed: UInt64, sendBeforePersist: Bool) async throws -> Bool? {
        let crash = CrashSwitch()
        let cluster = try TestCluster { config in
            let id = config.raft.id
            config.seed = seed &* 1_000_003 &+ id
            config.proposalTimeout = .milliseconds(1500)
            config.seam.sendBeforePersist = sendBeforePersist
            config.seam.beforeEntriesWrite = { _ in try crash.check(id) }
        }
        let leader = try await cluster.leader()
        _ = try await cluster.driver(leader).propose(Array("before".utf8))
        let others = cluster.ids.filter { $0 != leader }
        let (follower, isolated) = (others[Int(seed % 2)], others[1 - Int(seed % 2)])
        cluster.network.detach(isolated)
        crash.arm(follower)
        let acknowledged = (try? await cluster.driver(leader).propose(Array("x".utf8))) != nil
        _ = try await cluster.eventually(.seconds(10), "the follower's crash") {
            cluster.driver(follower).status.stopped != nil ? true : nil
        }
        guard acknowledged else { return nil }
        cluster.stop(leader)
        crash.arm(0)
        try cluster.restart(follower)
        cluster.network.attach(isolated, cluster.driver(isolated))
        let newLeader = try await cluster.leader(within: .seconds(20))
        _ = try await cluster.driver(newLeader).propose(Array("after".utf8))
        let applied = ClusterProbe.applied(in: try await cluster.converged())
        return !applied.commands.contains("x")
    }

    @Test func theLoopLosesNoAcknowledgedWriteWhenAFollowerCrashesAtItsSync() async throws {
        for seed in Self.seeds {
            let lost = try await Self.losesAcknowledgedWrite(seed: seed, sendBeforePersist: false)
            #expect(lost != true, "seed \(seed): an acknowledged write was lost")
        }
    }

    /// The mutation: acknowledging before the write. The property must catch it on every seed.
    @Test func acknowledgingBeforeTheWriteIsCaught() async throws {
        var caught = 0
        for seed in Self.seeds where try await Self.losesAcknowledgedWrite(seed: seed, sendBeforePersist: true) == true
        {
            caught += 1
        }
        #expect(caught == Self.seeds.count, "the broken loop was caught on \(caught) of \(Self.seeds.count) seeds")
    }
}
