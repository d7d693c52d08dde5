import ClusterTestSupport
import Foundation
import Raft
import SandboxWire
import Testing

@testable import SandboxCluster

/// The forwarded batches a follower's proposing threads and its loop share, the outcomes that
/// wake the loop only once their index is handed out, and the direct path's fallback.
@Suite struct ForwardedBatchesTests {
    typealias Queued = ProposalWaiters<UInt64>.Queued

    private static func queued(deadline: ContinuousClock.Instant = .now + .seconds(5)) -> Queued {
        Queued(command: [1], waiter: OnceWaiter { _ in }, deadline: deadline)
    }

    /// A proposing thread forwards directly only to a leader the loop named that is not this
    /// node, within the node's bound (the loop's proposals counted) and the in-flight bound,
    /// until the batches close; a withdrawn batch is not counted as forwarded.
    @Test func directForwardsNeedANamedLeaderRoomAndAnOpenNode() {
        let batches = ForwardedBatches<UInt64>(firstID: 1)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10) == nil, "no leader named yet")
        #expect(batches.leaderChanged(to: 1, term: 2, this: 1).isEmpty)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10) == nil, "this node leads")
        _ = batches.leaderChanged(to: 2, term: 3, this: 1)
        let first = batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 2)
        #expect(first?.leader == 2)
        let second = batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 2)
        #expect(second != nil && second?.id != first?.id)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 2) == nil, "two in flight")
        let loops = batches.register([Self.queued(), Self.queued()], to: 2, term: 3)
        #expect(batches.count == 4)
        #expect(batches.take(loops, answeredBy: 3) == nil, "an answer from another node is stale")
        #expect(batches.take(loops, answeredBy: 2)?.proposals.count == 2)
        #expect(batches.forwardedDirectly == 2)
        #expect(batches.withdraw(second!.id)?.proposals.count == 1, "its send failed")
        #expect(batches.forwardedDirectly == 1, "a withdrawn direct batch is not counted")
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 2) != nil, "room again")
        batches.loopHolds(8)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 5) == nil, "8 in the loop + 2")
        batches.loopHolds(0)
        #expect(batches.take(first!.id, answeredBy: 2)?.proposals.count == 1)
        #expect(batches.take(first!.id, answeredBy: 2) == nil, "taken once")
        #expect(batches.count == 1)
        #expect(batches.close().count == 1)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10) == nil, "closed")
        #expect(batches.count == 0)
    }

    /// A new leader removes the batches sent to any other node, and to the same node in an
    /// earlier term; no known leader removes none (the same leader may answer after all); the
    /// deadline removes those with a proposal past it.
    @Test func aLeaderChangeAndDeadlinesRemoveTheirBatches() {
        let batches = ForwardedBatches<UInt64>()
        let now = ContinuousClock.now
        _ = batches.leaderChanged(to: 2, term: 5, this: 1)
        let toTwo = batches.register([Self.queued(), Self.queued()], to: 2, term: 5)
        _ = batches.registerDirect(Self.queued(deadline: now + .seconds(1)), limit: 10, inFlightLimit: 10)
        #expect(batches.count == 3)
        let expired = batches.expire(now: now + .seconds(2))
        #expect(expired.count == 1 && expired[0].proposals.count == 1)
        #expect(batches.count == 2)
        #expect(batches.leaderChanged(to: 0, term: 6, this: 1).isEmpty, "no leader known: the batch waits")
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10) == nil, "none to forward to")
        #expect(batches.leaderChanged(to: 2, term: 5, this: 1).isEmpty, "the same leader in its term")
        #expect(batches.count == 2)
        let direct = batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10)
        #expect(direct?.leader == 2)
        let reelected = batches.leaderChanged(to: 2, term: 7, this: 1)
        #expect(reelected.count == 2, "the same node in a later term may have lost them")
        #expect(batches.take(toTwo, answeredBy: 2) == nil)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10)?.leader == 2)
        let lost = batches.leaderChanged(to: 3, term: 8, this: 1)
        #expect(lost.count == 1 && lost[0].leader == 2)
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10)?.leader == 3)
        #expect(batches.leaderChanged(to: 1, term: 9, this: 1).count == 1, "this node leads: the batch to 3 is lost")
        #expect(batches.registerDirect(Self.queued(), limit: 10, inFlightLimit: 10) == nil)
    }

    /// An event tied to an index wakes a waiting loop only when the loop had handed that index
    /// out as it went to wait; one queued before the loop waits is taken at once either way.
    @Test func anEventTiedToAnIndexWakesTheLoopOnlyOnceTheIndexIsHandedOut() {
        let inbox = EventInbox<Int>(capacity: 8)
        let clock = ContinuousClock()
        func takeTime(handedOut: UInt64, thenPost index: UInt64) -> (Duration, [Int]) {
            let poster = Thread {
                Thread.sleep(forTimeInterval: 0.05)
                inbox.post(Int(index), wakingFrom: index)
            }
            let started = clock.now
            poster.start()
            let events = inbox.take(waitingAtMost: .seconds(1), wakingOnQuiet: false, handedOut: handedOut)
            let elapsed = clock.now - started
            Thread.sleep(forTimeInterval: 0.05)
            return (elapsed, events + inbox.take(waitingAtMost: .zero, wakingOnQuiet: false))
        }
        let (ahead, aheadEvents) = takeTime(handedOut: 10, thenPost: 11)
        #expect(ahead >= .milliseconds(900), "an outcome for an index not handed out woke the loop")
        #expect(aheadEvents == [11])
        let (handed, handedEvents) = takeTime(handedOut: 10, thenPost: 10)
        #expect(handed < .milliseconds(500), "an outcome for a handed-out index did not wake the loop")
        #expect(handedEvents == [10])
        inbox.post(12, wakingFrom: 12)
        #expect(inbox.take(waitingAtMost: .seconds(1), wakingOnQuiet: false, handedOut: 0) == [12])
    }

    /// Only outcomes that accept every proposal are tied to an index: their lowest.
    @Test func onlyAcceptingOutcomesWaitForTheirIndex() {
        typealias Driver = RaftDriver<CounterMachine>
        let accepted = Frame.outcomes(
            OutcomeBatch(id: 1, outcomes: [.accepted(index: 9, term: 2), .accepted(index: 7, term: 2)]))
        #expect(Driver.firstAcceptedIndex(accepted) == 7)
        let refused = Frame.outcomes(
            OutcomeBatch(
                id: 1, outcomes: [.accepted(index: 9, term: 2), .refused(ProposalRefusal(.notLeader, message: "no"))]))
        #expect(Driver.firstAcceptedIndex(refused) == nil)
        #expect(Driver.firstAcceptedIndex(.outcomes(OutcomeBatch(id: 1, outcomes: []))) == nil)
        #expect(Driver.firstAcceptedIndex(.messages([])) == nil)
    }

    /// A direct forward whose frame the link refuses (its queue full) goes through the loop,
    /// which forwards it on a later iteration: applied once, and not counted as direct.
    @Test func aRefusedDirectForwardGoesThroughTheLoop() async throws {
        let cluster = try TestCluster()
        let leader = try await cluster.leader(within: .seconds(60))
        let follower = cluster.ids.first { $0 != leader }!
        let driver = cluster.driver(follower)
        _ = try await driver.propose(Array("warm".utf8))
        _ = try await cluster.converged()
        let before = driver.status.counters.proposalsForwardedDirectly
        cluster.network.proposalFramesRefused = 1
        let applied = try await driver.propose(Array("refused once".utf8))
        #expect(cluster.network.proposalFramesRefused == 0, "the direct frame was refused")
        #expect(driver.status.counters.proposalsForwardedDirectly == before)
        #expect(applied == 1, "applied once")
        let again = try await driver.propose(Array("refused once".utf8))
        #expect(again == 2, "the same command again: its second application")
        #expect(driver.status.counters.proposalsForwardedDirectly == before + 1)
    }

    /// A learner's batch sent to a leader that then restarts and wins the next term is answered
    /// at once (outcome unknown: the leader's previous run may have applied it), though the
    /// learner's soft state never changed: it never campaigns, so it names the same leader
    /// throughout and only the term moves. Before, the batch waited for its deadline (20 s
    /// here; 5 s by default) and was answered "did not answer".
    @Test func aBatchToALeaderThatRestartedAndLeadsAgainIsAnsweredAtOnce() async throws {
        let cluster = try TestCluster(size: 1) { $0.proposalTimeout = .seconds(20) }
        let leader = try await cluster.leader(within: .seconds(60))
        _ = try await cluster.driver(leader).changeMembership(ConfChange(.addLearner, node: 2))
        try cluster.start(2)
        let learner = cluster.driver(2)
        let target = cluster.driver(leader).status.commitIndex
        _ = try await cluster.eventually(.seconds(30), "the learner caught up (by snapshot)") {
            let status = learner.status
            return status.leader == leader && !status.awaitsSnapshot && status.appliedIndex >= target ? true : nil
        }
        _ = try await learner.propose(Array("warm".utf8))  // it forwards
        let term = learner.status.term
        cluster.network.holdOutcomes(to: 2)
        let forwardedBefore = learner.status.counters.proposalsForwardedDirectly
        let committedBefore = cluster.driver(leader).status.commitIndex
        let proposal = Task { try await learner.propose(Array("unanswered".utf8)) }
        _ = try await cluster.eventually(.seconds(20), "the leader committed the forwarded entry") {
            cluster.driver(leader).status.commitIndex > committedBefore ? true : nil
        }
        #expect(learner.status.counters.proposalsForwardedDirectly == forwardedBefore + 1)
        try cluster.restart(leader)
        _ = try await cluster.eventually(.seconds(30), "the learner hears its leader in a later term") {
            learner.status.term > term && learner.status.leader == leader ? true : nil
        }
        let clock = ContinuousClock()
        let heard = clock.now
        let answer = await proposal.result
        let waited = clock.now - heard
        #expect(waited < .seconds(10), "answered \(waited) after the later term was known")
        guard case .failure(ClusterError.unknownOutcome(let reason)) = answer else {
            Issue.record("expected an unknown outcome, got \(answer)")
            return
        }
        #expect(reason.contains("lost leadership"), "\(reason)")
        #expect(learner.status.leader == leader, "the same leader throughout")
    }
}
