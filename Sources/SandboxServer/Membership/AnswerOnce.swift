import Foundation
import Synchronization

/// Resumes a `NodeHTTPClient` call's continuation once: with the answer, or with nil when its
/// timer fires first.
final class AnswerOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<(status: Int, body: Data)?, Never>?>

    init(_ continuation: CheckedContinuation<(status: Int, body: Data)?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ answer: (status: Int, body: Data)?) {
        let waiting = continuation.withLock { value in
            defer { value = nil }
            return value
        }
        waiting?.resume(returning: answer)
    }
}
