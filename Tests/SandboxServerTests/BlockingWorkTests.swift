import Foundation
import Synchronization
import Testing

@testable import SandboxServer

/// Long synchronous work runs on threads of its own, at most `limit` at once (then 503 `busy`).
@Suite struct BlockingWorkTests {
    @Test func workBeyondTheLimitIsRefusedUntilOneEnds() async throws {
        let work = BlockingWork(limit: 1)
        let release = DispatchSemaphore(value: 0)
        let started = Mutex(false)
        let slow = Task {
            try await work.run { () -> Int in
                started.withLock { $0 = true }
                release.wait()
                return 1
            }
        }
        while !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        await #expect {
            try await work.run { 2 }
        } throws: { ($0 as? APIError)?.code == "busy" && ($0 as? APIError)?.status == .serviceUnavailable }
        release.signal()
        #expect(try await slow.value == 1)
        #expect(try await work.run { 3 } == 3)
        await #expect(throws: CancellationError.self) { try await work.run { () -> Int in throw CancellationError() } }
        #expect(try await work.run { 4 } == 4, "a failed run frees its place")
    }
}
