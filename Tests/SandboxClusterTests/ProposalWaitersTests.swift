import Testing

@testable import SandboxCluster

/// The results of recently applied entries (answers for outcomes that arrive late) are a ring
/// of the last 4,096: the oldest goes as a new one comes, and nothing else.
@Suite struct ProposalWaitersTests {
    @Test func theRecentResultsKeepTheLast4096() {
        var waiters = ProposalWaiters<Int>()
        for index in UInt64(1)...10_000 { waiters.remember(Int(index), index: index, term: 1) }
        #expect(waiters.recentResult(at: 10_000 - 4_096) == nil)
        for index in UInt64(10_000 - 4_095)...10_000 {
            #expect(waiters.recentResult(at: index)?.result == Int(index))
        }
    }

    @Test func anIndexRememberedAgainKeepsItsNewestResult() {
        var waiters = ProposalWaiters<Int>()
        for index in UInt64(1)...4_096 { waiters.remember(0, index: index, term: 1) }
        waiters.remember(7, index: 1, term: 2)  // the oldest slot holds index 1 itself
        #expect(waiters.recentResult(at: 1)?.term == 2)
        #expect(waiters.recentResult(at: 1)?.result == 7)
        #expect(waiters.recentResult(at: 2)?.result == 0)
    }
}
