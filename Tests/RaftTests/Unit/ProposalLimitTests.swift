import Raft
import RaftSimulation
import Testing

/// Proposals are refused with a typed error, never dropped silently; every size is bounded.
@Suite struct ProposalLimitTests {
    @Test func followersAndLeaderlessNodesRefuseProposals() throws {
        let idle = ManualCluster(voters: [1, 2, 3])
        #expect(throws: RaftError.noLeader) { try idle.node(1).propose(bytes("x")) }
        let cluster = electedCluster(3)
        #expect(throws: RaftError.notLeader(leader: 1)) { try cluster.node(2).propose(bytes("x")) }
    }

    @Test func oversizedEntriesAndBatchesAreRefused() throws {
        let cluster = electedCluster(3) { config in
            config.limits.maxEntryBytes = 8
            config.limits.maxEntriesPerProposal = 3
        }
        #expect(throws: RaftError.entryTooLarge(size: 9, limit: 8)) { try cluster.node(1).propose(bytes("123456789")) }
        #expect(throws: RaftError.batchTooLarge(count: 4, limit: 3)) {
            try cluster.node(1).propose(batch: [bytes("a"), bytes("b"), bytes("c"), bytes("d")])
        }
        let range = try cluster.node(1).propose(batch: [bytes("a"), bytes("b"), bytes("c")])
        #expect(range == 3...5)
    }

    @Test func theLeaderStopsAcceptingWhenTooMuchIsUncommitted() throws {
        let cluster = electedCluster(3) { config in config.limits.maxUncommittedBytes = 10 }
        cluster.isolate(1)
        try cluster.node(1).propose(bytes("123456"))
        #expect(throws: RaftError.tooManyUncommitted(limit: 10)) { try cluster.node(1).propose(bytes("123456")) }
        cluster.heal()
        cluster.stabilize()
        cluster.tick(1)
        cluster.stabilize()
        try cluster.node(1).propose(bytes("123456"))
    }

    @Test func pendingReadsAreBounded() throws {
        let cluster = electedCluster(3) { config in config.limits.maxPendingReads = 2 }
        cluster.isolate(1)
        try cluster.node(1).readIndex(bytes("1"))
        try cluster.node(1).readIndex(bytes("2"))
        #expect(throws: RaftError.tooManyPendingReads(limit: 2)) { try cluster.node(1).readIndex(bytes("3")) }
    }

    @Test func appendMessagesRespectTheByteLimit() throws {
        let cluster = electedCluster(3) { config in config.limits.maxMessageBytes = 10 }
        cluster.recordsTranscript = true
        for _ in 0..<4 { try cluster.node(1).propose(bytes("12345")) }
        cluster.stabilize()
        let appends = cluster.transcript.filter { $0.contains("Send 1->2 append") }
        // Two entries of 5 bytes fit in a message.
        #expect(appends.count >= 2)
        #expect(cluster.node(2).commitIndex == 6)
    }

    @Test func badConfigurationsAreRejected() {
        var config = RaftConfig(id: 0)
        #expect(throws: RaftConfigError.self) { try config.validate() }
        config = RaftConfig(id: 1)
        config.electionTicks = 1
        #expect(throws: RaftConfigError.self) { try config.validate() }
        config = RaftConfig(id: 1)
        config.limits.maxInflightMessages = 0
        #expect(throws: RaftConfigError.self) { try RaftNode(config: config, storage: MemoryLogStorage(), seed: 1) }
    }

    @Test func messageSizesAreEstimated() {
        let small = Message(kind: .heartbeat, from: 1, to: 2, term: 1)
        let large = Message(
            kind: .append, from: 1, to: 2, term: 1,
            entries: [Entry(term: 1, index: 1, data: Array(repeating: 0, count: 1000))])
        #expect(small.byteSize < 100)
        #expect(large.byteSize > 1000)
    }
}
