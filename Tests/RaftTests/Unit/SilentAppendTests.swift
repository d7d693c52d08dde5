import Raft
import RaftSimulation
import Testing

/// A follower leaves an empty append unanswered when it already acknowledged that append's index
/// to the same leader in the same term (the leader's commit-only appends), and states what it
/// acknowledged, as far as it is durable, in its heartbeat answers (docs/raft.md, "Answers that
/// carry nothing").
@Suite struct SilentAppendTests {
    /// Follower 2 of voters 1-3 (bootstrapped at index 1) that accepted entry 1/2 from leader 1
    /// in term 1 and persisted it.
    func followerHoldingOneEntry() throws -> (RaftNode, MemoryLogStorage) {
        let (node, storage) = try standaloneNode(2, voters: [1, 2, 3])
        appendEntry(2, "a", to: node)
        let sent = try persist(node, storage)
        #expect(sent.filter { $0.kind == .appendResponse }.map(\.index) == [2])
        return (node, storage)
    }

    /// Three voters, leader 1, with `data` committed and acknowledged everywhere.
    func clusterThatCommitted(_ data: String) throws -> ManualCluster {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes(data))
        cluster.stabilize()
        return cluster
    }

    func answers(_ messages: [Message]) -> [Message] { messages.filter { $0.kind == .appendResponse } }

    /// Leader 1 of term 1 sends `node` the entry 1/`index` after 1/`index - 1`.
    func appendEntry(_ index: UInt64, _ data: String, to node: RaftNode) {
        node.step(
            Message(
                kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: index - 1,
                entries: [Entry(term: 1, index: index, data: bytes(data))]))
    }

    func heartbeatAnswer(_ messages: [Message]) throws -> Message {
        try #require(messages.first { $0.kind == .heartbeatResponse })
    }

    @Test func anEmptyAppendAtAnAcknowledgedIndexIsNotAnsweredButItsCommitIsTaken() throws {
        let (node, storage) = try followerHoldingOneEntry()
        node.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 2, commit: 2))
        let sent = try persist(node, storage)
        #expect(answers(sent).isEmpty)
        #expect(node.commitIndex == 2)
    }

    @Test func heartbeatAnswersStateWhatWasAcknowledged() throws {
        let (node, storage) = try followerHoldingOneEntry()
        node.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1, commit: 1))
        #expect(try heartbeatAnswer(try persist(node, storage)).index == 2)
    }

    @Test func aHeartbeatAnswerNeverStatesWhatIsNotDurable() throws {
        let (node, storage) = try followerHoldingOneEntry()
        appendEntry(3, "b", to: node)
        // Entry 3 is accepted but not persisted yet: the heartbeat's answer leaves at once.
        node.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1, commit: 1))
        let ready = node.ready()
        #expect(try heartbeatAnswer(ready.messages).index == 2)
        #expect(answers(ready.messagesAfterPersist).map(\.index) == [3])
        try storage.append(ready.entries)
        node.advance(ready)
        node.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1, commit: 1))
        #expect(try heartbeatAnswer(try persist(node, storage)).index == 3)
    }

    @Test func anInstalledSnapshotIsWhatHeartbeatAnswersStateOnceDurable() throws {
        let (node, storage) = try followerHoldingOneEntry()
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 10, term: 1, conf: ConfState(voters: [1, 2, 3])), data: bytes("state@10"))
        node.step(Message(kind: .snapshot, from: 1, to: 2, term: 1, snapshot: snapshot))
        // Not persisted yet: the answer to a heartbeat states nothing (the storage holds the old log).
        node.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1, commit: 1))
        let ready = node.ready()
        #expect(try heartbeatAnswer(ready.messages).index == 0)
        try storage.installSnapshotState(try #require(ready.snapshot))
        try storage.applySnapshot(try #require(ready.snapshot))
        node.advance(ready)
        #expect(answers(ready.messagesAfterPersist).map(\.index) == [10])
        node.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1, commit: 10))
        #expect(try heartbeatAnswer(try persist(node, storage)).index == 10)
    }

    @Test func anotherLeaderOrTermGetsItsAnswer() throws {
        let (node, storage) = try followerHoldingOneEntry()
        // Node 3 leads term 2 and sends the same empty append: it was told nothing yet.
        node.step(Message(kind: .append, from: 3, to: 2, term: 2, logTerm: 1, index: 2, commit: 2))
        let sent = try persist(node, storage)
        #expect(answers(sent).map(\.index) == [2])
        #expect(answers(sent).map(\.to) == [3])
        // Its heartbeats state it.
        node.step(Message(kind: .heartbeat, from: 3, to: 2, term: 2, commit: 2))
        #expect(try heartbeatAnswer(try persist(node, storage)).index == 2)
        // The next empty append of the new leader at the same index goes unanswered.
        node.step(Message(kind: .append, from: 3, to: 2, term: 2, logTerm: 1, index: 2, commit: 2))
        #expect(answers(try persist(node, storage)).isEmpty)
    }

    @Test func appendsWithEntriesRejectionsAndOlderIndexesAreAnswered() throws {
        let (node, storage) = try followerHoldingOneEntry()
        // The same entry again (a retransmission): answered, it may be the only answer to arrive.
        appendEntry(2, "a", to: node)
        #expect(answers(try persist(node, storage)).map(\.index) == [2])
        // An empty append below what was acknowledged: its answer states another index.
        node.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 1, commit: 1))
        #expect(answers(try persist(node, storage)).map(\.index) == [1])
        // An append whose previous entry the follower lacks: the rejection is always sent.
        node.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 5, commit: 1))
        let rejection = answers(try persist(node, storage))
        #expect(rejection.count == 1 && rejection.allSatisfy(\.reject))
    }

    @Test func aLostAnswerReachesTheLeaderInTheNextHeartbeatAnswer() throws {
        // Node 3 is down, so the leader needs node 2's acknowledgement to commit anything.
        let cluster = electedCluster(3)
        cluster.crash(3)
        let index = try cluster.node(1).propose(bytes("x"))
        cluster.processReady(1)
        cluster.deliverMessages(to: 2)
        cluster.processReady(2)
        let lost = cluster.discardMessages(to: 1) { $0.kind == .appendResponse }
        #expect(lost.map(\.index) == [index])
        cluster.stabilize()
        #expect(cluster.node(1).commitIndex < index)
        // The leader's next heartbeat round brings the match: the entry commits everywhere.
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).commitIndex == index)
        #expect(cluster.node(2).commitIndex == index)
        #expect(cluster.node(1).replicationState(of: 2)?.match == index)
    }

    @Test func aCommitRoundCostsOneAnswerPerFollower() throws {
        let cluster = electedCluster(3)
        cluster.recordsTranscript = true
        _ = cluster.takeTranscript()
        try cluster.node(1).propose(bytes("y"))
        cluster.stabilize()
        let sent = cluster.takeTranscript().filter { $0.contains("Send ") }
        // The entry goes out, both followers acknowledge it, the commit goes out; the commit-only
        // appends are not answered.
        #expect(sent.filter { $0.contains("appendResponse") }.count == 2)
        #expect(sent.filter { $0.contains(" append ") }.count == 4)
        #expect((1...3).allSatisfy { cluster.node(NodeID($0)).commitIndex == cluster.node(1).lastIndex })
    }

    @Test func aProbeEndsOnAHeartbeatAnswerStatingTheMatch() throws {
        let cluster = try clusterThatCommitted("p")
        cluster.node(1).reportUnreachable(2)
        #expect(cluster.node(1).replicationState(of: 2)?.state == .probe)
        // The probe is an empty append at the match, which node 2 acknowledged before: no answer.
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 2)?.state == .replicate)
    }

    @Test func anEmptyProbeAtTheMatchDoesNotPauseTheFollower() throws {
        let cluster = electedCluster(3)
        try cluster.node(1).propose(bytes("q"))
        cluster.processReady(1)
        cluster.deliverMessages(to: 2)
        cluster.processReady(2)
        cluster.deliverMessages(to: 1)  // node 2 acknowledged q: with the leader's copy, committed
        cluster.node(1).reportUnreachable(2)
        cluster.recordsTranscript = true
        cluster.processReady(1)  // the commit goes out: to node 2 an empty probe at its match
        try cluster.node(1).propose(bytes("r"))
        cluster.processReady(1)
        let sent = cluster.takeTranscript().filter { $0.contains("Send 1->2 append") }
        #expect(sent.count == 2)
        #expect(sent.last?.contains(":r]") == true)  // r went out at once, not after a heartbeat
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 2)?.state == .replicate)
        #expect(cluster.node(2).commitIndex == cluster.node(1).lastIndex)
    }

    @Test func aStaleHeartbeatIndexDoesNotTakeAProbeBackBehindASnapshot() throws {
        let cluster = try clusterThatCommitted("seen")
        let acknowledged = cluster.node(1).lastIndex
        // Node 3 is cut off in the same term while the leader moves on and compacts its log.
        cluster.isolate(3)
        for number in 1...4 { try cluster.node(1).propose(bytes("s\(number)")) }
        cluster.stabilize()
        let member = cluster.members[1]!
        try member.storage.createSnapshot(
            at: member.appliedIndex, conf: cluster.node(1).confState, data: bytes("state"))
        try member.storage.compact(upTo: member.appliedIndex)
        cluster.heal()
        cluster.dropFilter = { $0.kind == .snapshot }
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(1).replicationState(of: 3)?.state == .snapshot)
        // The runtime reports the stream done; the leader probes past the snapshot.
        cluster.node(1).reportSnapshot(to: 3, failed: false)
        #expect(cluster.node(1).replicationState(of: 3)?.next == member.appliedIndex + 1)
        // Node 3 never got the snapshot: its heartbeat answer states what it acknowledged
        // before the cut, the leader's match for it.
        cluster.tick(1)
        cluster.processReady(1)
        cluster.deliverMessages(to: 3)
        cluster.processReady(3)
        let answer = try #require(cluster.discardMessages(to: 1) { $0.kind == .heartbeatResponse }.first)
        #expect(answer.index == acknowledged)
        cluster.node(1).step(answer)
        let progress = try #require(cluster.node(1).replicationState(of: 3))
        #expect(progress.state == .probe)
        #expect(progress.next == member.appliedIndex + 1)
        cluster.dropFilter = nil
        for _ in 0..<12 {
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster.node(3).commitIndex == cluster.node(1).commitIndex)
    }
}
