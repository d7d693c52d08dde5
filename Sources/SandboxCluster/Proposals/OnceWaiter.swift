import Synchronization

/// A proposal's completion, called at most once, by whichever side answers first: the apply
/// thread (the entry applied) or the loop (the proposal's deadline passed while the entry waited
/// on the apply thread). A later answer is ignored and says so (false). The completion runs on the
/// answering thread: it must hand any real work elsewhere (a continuation's resume, an event
/// loop's `execute`).
final class OnceWaiter<Value: Sendable>: Sendable {
    typealias Completion = @Sendable (Result<Value, any Error>) -> Void
    private let completion: Completion
    private let answered = Atomic<Bool>(false)

    init(_ completion: @escaping Completion) {
        self.completion = completion
    }

    convenience init(_ continuation: CheckedContinuation<Value, any Error>) {
        self.init { continuation.resume(with: $0) }
    }

    /// A waiter dropped unanswered (a driver defect) still answers, so that no caller waits
    /// forever (a connection's reads held, a shutdown waiting on it): the outcome is unknown.
    deinit {
        if claim() { completion(.failure(ClusterError.unknownOutcome("the proposal was dropped unanswered"))) }
    }

    /// Whether it was answered (by either side).
    var isAnswered: Bool { answered.load(ordering: .acquiring) }

    @discardableResult
    func resume(returning value: Value) -> Bool {
        guard claim() else { return false }
        completion(.success(value))
        return true
    }

    @discardableResult
    func resume(throwing error: any Error) -> Bool {
        guard claim() else { return false }
        completion(.failure(error))
        return true
    }

    private func claim() -> Bool {
        answered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
