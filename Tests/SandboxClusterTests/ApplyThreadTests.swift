import ClusterTestSupport
import Foundation
import Raft
@_spi(Testing) import SandboxCluster
import Testing

/// Entries are applied on a thread of their own: a slow state machine delays answers, not
/// replication (with apply on the loop thread, a stuck apply stopped the node's Raft too).
@Suite struct ApplyThreadTests {
    @Test func aStuckStateMachineDoesNotStopReplicationAndAnswersOnceItMovesOn() async throws {
        let cluster = try TestCluster()
        let leader = try await cluster.leader()
        _ = try await cluster.driver(leader).propose(Array("warm".utf8))
        let release = DispatchSemaphore(value: 0)
        cluster.machine(leader).beforeApply = { release.wait() }
        defer { Self.unhold(cluster.machine(leader), release) }  // also when an expectation throws
        let driver = cluster.driver(leader)
        let before = driver.status.appliedIndex
        let answers = Task { await ClusterProbe.proposeAll((0..<20).map { "held-\($0)" }, on: [driver]) }
        // The leader's apply thread is stuck, yet its loop commits the entries and replicates
        // them: the followers apply them.
        let committed = try await cluster.eventually(.seconds(20), "the held entries committed") {
            driver.status.commitIndex >= before + 20 ? driver.status.commitIndex : nil
        }
        let follower = cluster.ids.first { $0 != leader }!
        _ = try await cluster.eventually(.seconds(20), "a follower applied them") {
            cluster.driver(follower).status.appliedIndex >= committed ? true : nil
        }
        #expect(driver.status.appliedIndex <= before + 1)  // at most the batch in hand started
        #expect(driver.status.role == .leader)
        cluster.machine(leader).beforeApply = nil
        for _ in 0..<64 { release.signal() }
        let acknowledged = await answers.value
        #expect(acknowledged.count == 20)
        _ = try await cluster.eventually(.seconds(20), "the leader applied them") {
            driver.status.appliedIndex >= committed ? true : nil
        }
    }

    /// Entries committed one `Ready` at a time while the apply thread is busy are applied
    /// together once it is free: one state write (and one report to the loop) for all of them,
    /// not one per `Ready`.
    @Test func entriesQueuedWhileApplyIsBusyAreAppliedInOneCall() async throws {
        let cluster = try TestCluster()
        let leader = try await cluster.leader()
        let driver = cluster.driver(leader)
        _ = try await driver.propose(Array("warm".utf8))
        let release = DispatchSemaphore(value: 0)
        let calls = CallCount()
        cluster.machine(leader).beforeApply = {
            calls.add()
            release.wait()
        }
        defer { Self.unhold(cluster.machine(leader), release) }
        var answers: [Task<UInt64, any Error>] = []
        for i in 0..<10 {
            let before = driver.status.commitIndex
            answers.append(Task { try await driver.propose(Array("held-\(i)".utf8)) })
            _ = try await cluster.eventually(.seconds(20), "held entry \(i) committed") {
                driver.status.commitIndex > before ? true : nil
            }
        }
        for _ in 0..<20 { release.signal() }
        for answer in answers { _ = try await answer.value }
        cluster.machine(leader).beforeApply = nil
        // The first held entry was in hand when the others committed; the nine behind it queued
        // as separate items and were joined: two calls (one more if an election's entry came
        // between), where one per item made ten.
        #expect((2...3).contains(calls.value), "apply called \(calls.value) times")
    }

    /// A proposal is answered by the apply thread once its entry is applied, even while the
    /// loop is held in a log write (before, the answer waited for the loop to take the apply
    /// thread's report).
    @Test func anAppliedProposalIsAnsweredWhileTheLoopIsInALogWrite() async throws {
        let writes = WriteHold()
        let cluster = try TestCluster { config in
            let node = config.raft.id
            config.seam.beforeEntriesWrite = { _ in writes.pass(node) }
        }
        defer { writes.release() }
        let leader = try await cluster.leader()
        let driver = cluster.driver(leader)
        _ = try await driver.propose(Array("warm".utf8))
        let applyHeld = DispatchSemaphore(value: 0)
        cluster.machine(leader).beforeApply = { applyHeld.wait() }
        defer { Self.unhold(cluster.machine(leader), applyHeld) }
        let before = driver.status.commitIndex
        let first = Task { try await driver.propose(Array("first".utf8)) }
        _ = try await cluster.eventually(.seconds(20), "the first entry committed") {
            driver.status.commitIndex > before ? true : nil
        }
        // The leader's next log write now waits; the second proposal puts its loop in one.
        writes.hold(leader)
        let second = Task { try await driver.propose(Array("second".utf8)) }
        _ = try await cluster.eventually(.seconds(20), "the leader's loop held in a write") {
            writes.held > 0 ? true : nil
        }
        cluster.machine(leader).beforeApply = nil
        applyHeld.signal()
        let answers = CallCount()
        Task {
            if (try? await first.value) != nil { answers.add() }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, answers.value == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(answers.value == 1, "the first proposal was not answered while the loop was in a write")
        #expect(writes.held == 1, "the loop left the write before the answer")
        writes.release()
        _ = try await second.value
    }
}

extension ApplyThreadTests {
    /// A proposal whose entry waits on a stalled apply thread is still bounded by its deadline:
    /// answered `unknownOutcome` (it may yet be applied), and the apply thread's later answer is
    /// ignored (a continuation resumed twice would trap).
    @Test func aProposalOnAStalledApplyIsAnsweredAtItsDeadline() async throws {
        let cluster = try TestCluster { config in config.proposalTimeout = .seconds(1) }
        let leader = try await cluster.leader()
        let driver = cluster.driver(leader)
        _ = try await driver.propose(Array("warm".utf8))
        let release = DispatchSemaphore(value: 0)
        cluster.machine(leader).beforeApply = { release.wait() }
        defer { Self.unhold(cluster.machine(leader), release) }
        let before = driver.status.commitIndex
        let held = Task { try await driver.propose(Array("held".utf8)) }
        // Without the deadline the answer would wait for the apply thread: it moves on only
        // after the answer, or after 30 s (a bound of 8 s from the start, for a 1 s deadline,
        // missed at 9-14 s beside the server suites: the test's own task ran late, not the driver).
        let released = ReleaseMark()
        let unstick = Task.detached {
            do { try await Task.sleep(for: .seconds(30)) } catch { return }
            released.set()
            for _ in 0..<8 { release.signal() }
        }
        defer { unstick.cancel() }
        _ = try await cluster.eventually(.seconds(20), "the held entry committed") {
            driver.status.commitIndex > before ? true : nil
        }
        let outcome: String
        do {
            _ = try await held.value
            outcome = "answered with a result"
        } catch ClusterError.unknownOutcome {
            outcome = "unknown"
        } catch {
            outcome = "\(error)"
        }
        #expect(outcome == "unknown")
        #expect(!released.isSet, "answered only when the apply thread moved on, not at its deadline")
        unstick.cancel()
        cluster.machine(leader).beforeApply = nil
        for _ in 0..<8 { release.signal() }
        _ = try await cluster.eventually(.seconds(20), "the held entry applied after all") {
            driver.status.appliedIndex > before ? true : nil
        }
        _ = try await driver.propose(Array("after".utf8))  // the node goes on
    }
}

extension ApplyThreadTests {
    /// Ends a test's hold on `machine`'s apply thread however the test ends: without it, a test
    /// that threw left the thread waiting, and the cluster's deinit (which stops the driver and
    /// waits for that thread) hung the whole test run.
    static func unhold(_ machine: CounterMachine, _ release: DispatchSemaphore) {
        machine.beforeApply = nil
        for _ in 0..<64 { release.signal() }
    }
}

/// Holds one node's log writes that carry entries while `hold(_:)` is in force (on its loop).
private final class WriteHold: @unchecked Sendable {  // `holding` and `count` only under `lock`
    private let lock = NSLock()
    private let gate = DispatchSemaphore(value: 0)
    private var holding: NodeID?
    private var count = 0

    func hold(_ node: NodeID) { lock.withLock { holding = node } }

    /// Lets every held write (and every later one) go on.
    func release() {
        let waiting: Int = lock.withLock {
            holding = nil
            defer { count = 0 }
            return count
        }
        for _ in 0..<waiting { gate.signal() }
    }

    /// Writes held now.
    var held: Int { lock.withLock { count } }

    func pass(_ node: NodeID) {
        let wait: Bool = lock.withLock {
            guard holding == node else { return false }
            count += 1
            return true
        }
        if wait { gate.wait() }
    }
}

/// How often a hook ran (from the apply thread).
private final class CallCount: @unchecked Sendable {  // `count` only under `lock`
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Set once the test let a held apply thread move on.
private final class ReleaseMark: @unchecked Sendable {  // `value` only under `lock`
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}

/// Results a machine hands out before storing them (`apply(_:computed:)`: the real machine's
/// decisions) answer their proposals while the write is still to come; the applied index moves
/// only after it. Results not handed out wait for the write.
@Suite struct EarlyAnswerTests {
    @Test(arguments: [true, false])
    func aResultHandedOutBeforeTheWriteIsAnsweredBeforeIt(early: Bool) async throws {
        let cluster = try TestCluster()
        let leader = try await cluster.leader()
        let driver = cluster.driver(leader)
        _ = try await driver.propose(Array("warm".utf8))
        _ = try await driver.propose(Array("key".utf8))
        let machine = cluster.machine(leader)
        machine.handsOutEarly = early
        let release = DispatchSemaphore(value: 0)
        let stores = CallCount()
        machine.beforeStore = {
            stores.add()
            release.wait()
        }
        defer {
            machine.beforeStore = nil
            for _ in 0..<64 { release.signal() }
        }
        let applied = driver.status.appliedIndex
        let answer = Task { try await driver.propose(Array("key".utf8)) }
        _ = try await cluster.eventually(.seconds(20), "the leader's write held") { stores.value > 0 ? true : nil }
        let answered = ReleaseMark()
        Task {
            if (try? await answer.value) == 2 { answered.set() }  // the key's second application
        }
        let deadline = ContinuousClock.now + .seconds(early ? 10 : 1)
        while ContinuousClock.now < deadline, !answered.isSet {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(answered.isSet == early, "answered before the write: \(answered.isSet)")
        #expect(driver.status.appliedIndex == applied, "the applied index moved before the write")
        machine.beforeStore = nil
        release.signal()
        #expect(try await answer.value == 2)
        _ = try await cluster.eventually(.seconds(20), "the write done") {
            driver.status.appliedIndex > applied ? true : nil
        }
    }
}
