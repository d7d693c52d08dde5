import Foundation
import Testing

@testable import SandboxServer

#if canImport(Glibc)
    import Glibc
#endif

/// Node-to-node HTTP calls end within their timeout when the peer never answers. A listening
/// socket that nobody accepts on stands for a paused or overloaded node: the kernel completes the
/// connection and takes the request, and no answer comes. Before the fix such a call took 60 s
/// whatever its timeout (Linux's URLSession ignored the request's own timeout), and a membership
/// add waited that long on one look at its learner (the chaos harness's 5-node runs).
@Suite struct NodeHTTPClientTests {
    /// A TCP socket on 127.0.0.1 that listens and never accepts: its port and descriptor.
    func silentListener() throws -> (port: Int, descriptor: Int32) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(descriptor, 64) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
    }

    @Test func aCallToANodeThatNeverAnswersEndsWithinItsTimeout() async throws {
        let (port, descriptor) = try silentListener()
        defer { close(descriptor) }
        let config = try ServerConfig(arguments: ["--node-id", "1"], environment: [:])
        let started = ContinuousClock.now
        // Two calls at once, with two timeouts: each bounded by its own.
        async let short = NodeHTTPClient.call("GET", "127.0.0.1:\(port)", "/v1/cluster", timeout: 1, via: config)
        async let longer = NodeHTTPClient.call("GET", "127.0.0.1:\(port)", "/v1/cluster", timeout: 2, via: config)
        let (first, second) = await (short, longer)
        #expect(first == nil && second == nil)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(15), "a call with a 1 s and one with a 2 s timeout took \(took) (the bug: 60 s)")
    }

    @Test func cancellingTheCallerEndsTheCallAtOnce() async throws {
        let (port, descriptor) = try silentListener()
        defer { close(descriptor) }
        let config = try ServerConfig(arguments: ["--node-id", "1"], environment: [:])
        let started = ContinuousClock.now
        let call = Task {
            await NodeHTTPClient.call("GET", "127.0.0.1:\(port)", "/v1/cluster", timeout: 60, via: config)
        }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        #expect(await call.value == nil)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(20), "a cancelled call with a 60 s timeout took \(took)")
    }
}
