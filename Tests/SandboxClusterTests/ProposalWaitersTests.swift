import Foundation
import Synchronization
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

    /// A waiter answers exactly once: the first answer wins, and one dropped unanswered still
    /// answers (outcome unknown) so that no caller waits forever.
    @Test func aWaiterAnswersOnceEvenWhenDroppedUnanswered() {
        let answers = Mutex<[String]>([])
        let record: @Sendable (Result<Int, any Error>) -> Void = { result in
            let text: String
            switch result {
            case .success(let value): text = "\(value)"
            case .failure(ClusterError.unknownOutcome): text = "unknown outcome"
            case .failure(let error): text = "\(error)"
            }
            answers.withLock { $0.append(text) }
        }
        do {
            let waiter = OnceWaiter<Int>(record)
            #expect(waiter.resume(returning: 7))
            #expect(!waiter.resume(throwing: ClusterError.stopped("late")))
        }
        #expect(answers.withLock { $0 } == ["7"])
        do { _ = OnceWaiter<Int>(record) }
        #expect(answers.withLock { $0 } == ["7", "unknown outcome"])
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

/// Waiters whose entry will not be applied as theirs are answered at once, not at their deadline.
@Suite struct ProposalWaitersAnswerTests {
    /// A proposal's waiter, and the outcome its caller sees.
    final class Pending: Sendable {
        let outcome: Task<String, Never>

        init() {
            let holder = Holder()
            outcome = Task {
                do {
                    return "result \(try await withCheckedThrowingContinuation { holder.set($0) })"
                } catch ClusterError.unknownOutcome {
                    return "unknown"
                } catch ClusterError.notApplied {
                    return "not applied"
                } catch {
                    return "\(error)"
                }
            }
            self.holderRef = holder
        }

        private let holderRef: Holder

        func waiter() async -> OnceWaiter<Int> { OnceWaiter(await holderRef.get()) }
    }

    final class Holder: @unchecked Sendable {  // under `lock`
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Int, any Error>?
        func set(_ c: CheckedContinuation<Int, any Error>) { lock.withLock { continuation = c } }
        func get() async -> CheckedContinuation<Int, any Error> {
            while true {
                if let c = lock.withLock({ continuation }) { return c }
                await Task.yield()
            }
        }
    }

    func queued(_ pending: Pending, deadline: ContinuousClock.Instant) async -> ProposalWaiters<Int>.Queued {
        .init(command: [1], waiter: await pending.waiter(), deadline: deadline)
    }

    @Test func waitersAtOrBelowAnInstalledSnapshotAreAnsweredAtOnce() async {
        var waiters = ProposalWaiters<Int>()
        let later = ContinuousClock.now + .seconds(60)
        let (below, at, above) = (Pending(), Pending(), Pending())
        waiters.appended.append(.init(term: 1, queued: await queued(below, deadline: later)), at: 5)
        waiters.appended.append(.init(term: 1, queued: await queued(at, deadline: later)), at: 10)
        waiters.appended.append(.init(term: 1, queued: await queued(above, deadline: later)), at: 11)
        waiters.passed(bySnapshotAt: 10)
        #expect(await below.outcome.value == "unknown")
        #expect(await at.outcome.value == "unknown")
        #expect(waiters.appended.byIndex.keys.sorted() == [11])
        #expect(waiters.count == 1)
        waiters.failAll(.stopped("test over"))
        #expect(await above.outcome.value.contains("test over"))
    }

    @Test func aReplacedWaiterIsProposedAgainUntilItsDeadlineThenRefused() async {
        var waiters = ProposalWaiters<Int>()
        let now = ContinuousClock.now
        let (early, late, answered) = (Pending(), Pending(), Pending())
        waiters.replaced(await queued(early, deadline: now + .seconds(60)), now: now)
        #expect(waiters.queue.count == 1, "queued to be proposed again")
        waiters.replaced(await queued(late, deadline: now - .seconds(1)), now: now)
        #expect(await late.outcome.value == "not applied")
        let done = await queued(answered, deadline: now + .seconds(60))
        done.waiter.resume(throwing: ClusterError.unknownOutcome("expired on the apply thread"))
        waiters.replaced(done, now: now)
        #expect(waiters.queue.count == 1, "an answered waiter is not proposed again")
        #expect(await answered.outcome.value == "unknown")
        waiters.failAll(.stopped("test over"))
        #expect(await early.outcome.value.contains("test over"))
    }

    /// The waiters' count is kept as they change, not summed when read: after every step of a
    /// random sequence of appends, removals and replacements it equals the sum over a plain
    /// dictionary given the same steps.
    @Test func indexedWaitersKeepTheirCount() {
        var waiters = IndexedWaiters<Int>()
        var model: [UInt64: [Int]] = [:]
        var random = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            let index = UInt64.random(in: 1...40, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                waiters.append(step, at: index)
                model[index, default: []].append(step)
            case 5..<7:
                #expect(waiters.removeValue(forKey: index) == model.removeValue(forKey: index))
            case 7..<9:
                let kept = Array((model[index] ?? []).prefix(Int.random(in: 0...2, using: &random)))
                waiters.replace(at: index, with: kept)
                model[index] = kept.isEmpty ? nil : kept
            default:
                if Int.random(in: 0..<50, using: &random) == 0 {
                    waiters.removeAll()
                    model = [:]
                }
            }
            #expect(waiters.count == model.values.reduce(0) { $0 + $1.count }, "step \(step)")
            #expect(waiters.byIndex == model)
        }
    }
}
