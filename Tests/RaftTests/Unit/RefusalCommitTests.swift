import Raft
import Testing

/// A vote refusal carries the voter's commit index (capped at the candidate's last index) with
/// its term there; a candidate that holds that very entry commits up to it, and no other
/// (docs/raft.md, "What a vote refusal teaches": log matching makes the prefixes equal).
@Suite struct RefusalCommitTests {
    /// Node 1, candidate of term 3 without PreVote, holding entries 2 and 3 of term 2 from
    /// leader 2 and knowing only index 1 committed.
    func candidate() throws -> RaftNode {
        let (node, storage) = try standaloneNode(1, voters: [1, 2, 3]) { $0.preVote = false }
        let entries = [Entry(term: 2, index: 2, data: [2]), Entry(term: 2, index: 3, data: [3])]
        node.step(Message(kind: .append, from: 2, to: 1, term: 2, logTerm: 1, index: 1, entries: entries, commit: 1))
        try persist(node, storage)
        node.campaign()
        try persist(node, storage)
        #expect(node.role == .candidate && node.term == 3 && node.commitIndex == 1)
        return node
    }

    func refusal(commit: UInt64, term: UInt64) -> Message {
        Message(kind: .voteResponse, from: 2, to: 1, term: 3, logTerm: term, commit: commit, reject: true)
    }

    @Test func aCandidateHoldingTheEntryCommitsUpToTheRefusalsCommitIndex() throws {
        let node = try candidate()
        node.step(refusal(commit: 3, term: 2))
        #expect(node.commitIndex == 3)
        #expect(node.ready().committedEntries.map(\.data) == [[2], [3]])
    }

    @Test func anEntryOfAnotherTermThereTeachesNothing() throws {
        let node = try candidate()
        node.step(refusal(commit: 3, term: 4))  // the voter's entry 3 is not ours
        #expect(node.commitIndex == 1)
    }

    @Test func anIndexBeyondTheCandidatesLogTeachesNothing() throws {
        let node = try candidate()
        node.step(refusal(commit: 4, term: 2))
        #expect(node.commitIndex == 1)
    }

    @Test func aGrantedVoteCarriesNoCommit() throws {
        let node = try candidate()
        var granted = refusal(commit: 3, term: 2)
        granted.reject = false
        node.step(granted)
        #expect(node.role == .leader)
        #expect(node.commitIndex == 1)  // the new leader commits through its own no-op entry
    }

    @Test func theVoterCapsItsCommitAtTheCandidatesLastIndex() throws {
        // Node 2 committed up to 3; node 3's request says its log ends at 2 (term 2), behind.
        let (voter, storage) = try standaloneNode(2, voters: [1, 2, 3]) { $0.checkQuorum = false }
        let entries = [Entry(term: 2, index: 2), Entry(term: 2, index: 3)]
        voter.step(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 1, entries: entries, commit: 3))
        try persist(voter, storage)
        voter.step(Message(kind: .vote, from: 3, to: 2, term: 4, logTerm: 2, index: 2))
        let answer = try #require(try persist(voter, storage).first { $0.kind == .voteResponse })
        #expect(answer.reject)
        #expect(answer.commit == 2 && answer.logTerm == 2)
    }
}
