import Raft
import Testing

@testable import SandboxServer

/// The work one turn of a node's driver loop may do for a lagging follower or for applying is
/// bounded well below what a debug build reads within an election timeout (the chaos runs' stalled
/// leaders; `SandboxNode.raftConfig`).
@Suite struct RaftStepLimitsTests {
    @Test func aCatchUpStepReadsAtMostTwoMebibytesAndAReadyHandsOutAtMostFour() throws {
        let raft = SandboxNode.raftConfig(nodeID: 3)
        try raft.validate()
        #expect(raft.id == 3 && raft.electionTicks == 10)
        #expect(raft.limits.maxInflightBytes <= 2 << 20)
        #expect(raft.limits.maxMessageBytes <= raft.limits.maxInflightBytes / 4)
        #expect(raft.limits.maxCommittedBytesPerReady <= 4 << 20)
        // An entry may still be as large as before: it goes alone in a message.
        #expect(raft.limits.maxEntryBytes == RaftLimits().maxEntryBytes)
    }
}
