import Foundation
import Synchronization

/// Long synchronous work (verifying a range of the audit chain: seconds of CPU and store reads;
/// the console's audit scans and diffs)
/// run on a thread of its own, so that it never holds one of the cooperative pool's few threads
/// (two on a 2-core node) that every request needs. At most ``limit`` at once per node; beyond,
/// 503 `busy` (retry).
final class BlockingWork: Sendable {
    let limit: Int
    private let running = Mutex(0)

    init(limit: Int = 2) {
        self.limit = limit
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted = running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw APIError.unavailable(
                "\(limit) long reads (audit verifications or console pages) already run on this node; retry (or ask for a smaller range)",
                code: "busy")
        }
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                let result = Result { try work() }
                self.running.withLock { $0 -= 1 }
                continuation.resume(with: result)
            }.start()
        }
    }
}
