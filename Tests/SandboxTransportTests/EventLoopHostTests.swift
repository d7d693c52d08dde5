import Foundation
import NIOPosix
import Synchronization
import Testing

@testable import SandboxTransport

/// The Raft loop's host on an event loop: a wake-up runs the pass; with the wake-up pipe lost,
/// wake-ups still run it (as scheduled tasks) and the transport's stats say why; once closed,
/// nothing runs.
@Suite struct EventLoopHostTests {
    @Test func wakeUpsRunThePassAlsoAfterThePipeIsLost() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await wakeUps(on: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func wakeUps(on group: MultiThreadedEventLoopGroup) async throws {
        let passes = Atomic<Int>(0)
        let host = try await EventLoopHost.make(on: group.next()) {}
        host.onWake { passes.add(1, ordering: .relaxed) }

        func awaitPasses(_ count: Int) async throws {
            for _ in 0..<500 where passes.load(ordering: .relaxed) < count {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(passes.load(ordering: .relaxed) >= count)
        }
        host.wake()
        try await awaitPasses(1)
        #expect(host.lostPipe == nil)

        try await host.pipeChannel?.close()
        for _ in 0..<500 where host.lostPipe == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(host.lostPipe?.contains("closed") == true)
        let before = passes.load(ordering: .relaxed)
        for _ in 0..<3 { host.wake() }
        try await awaitPasses(before + 1)

        host.close()
        try await Task.sleep(for: .milliseconds(50))
        let afterClose = passes.load(ordering: .relaxed)
        host.wake()
        try await Task.sleep(for: .milliseconds(100))
        #expect(passes.load(ordering: .relaxed) == afterClose)
    }
}
