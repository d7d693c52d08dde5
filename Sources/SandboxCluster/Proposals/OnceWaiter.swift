import Synchronization

/// A proposal's continuation that is resumed at most once, by whichever side answers first: the
/// apply thread (the entry applied) or the loop (the proposal's deadline passed while the entry
/// waited on the apply thread). A later resume is ignored and says so (false).
final class OnceWaiter<Result: Sendable>: Sendable {
    private let continuation: CheckedContinuation<Result, any Error>
    private let answered = Atomic<Bool>(false)

    init(_ continuation: CheckedContinuation<Result, any Error>) {
        self.continuation = continuation
    }

    /// Whether it was answered (by either side).
    var isAnswered: Bool { answered.load(ordering: .acquiring) }

    @discardableResult
    func resume(returning result: Result) -> Bool {
        guard claim() else { return false }
        continuation.resume(returning: result)
        return true
    }

    @discardableResult
    func resume(throwing error: any Error) -> Bool {
        guard claim() else { return false }
        continuation.resume(throwing: error)
        return true
    }

    private func claim() -> Bool {
        answered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
