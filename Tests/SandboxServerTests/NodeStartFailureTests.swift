import Foundation
import Logging
import SandboxTransport
import TestSupport
import Testing

@testable import SandboxServer

#if canImport(Glibc)
    import Glibc
#endif

/// A node whose start fails after its storage and transport were made (here: its peer port is
/// taken, so the transport cannot listen) throws, and leaves nothing held: the same data
/// directory opens again at once (RocksDB's lock released) and the node then starts and serves.
/// A supervisor that retries a failed start, or a process that embeds the node, relies on it.
@Suite struct NodeStartFailureTests {
    /// A socket listening on an ephemeral port of 127.0.0.1, and that port.
    static func occupiedPort() throws -> (socket: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aStartThatFailsReleasesItsDataDirectory() async throws {
        let directory = TemporaryDirectory("node-start-failure")
        let logger = Logger(label: "node-start-failure-test")
        let taken = try Self.occupiedPort()
        var config = ServerConfig()
        config.nodeID = 1
        config.dataDirectory = directory.subpath("data")
        config.peerAddress = PeerAddress(host: "127.0.0.1", port: taken.port)
        config.peers = [1: config.peerAddress]
        config.bootstrap = true
        for _ in 0..<3 {
            await #expect(throws: (any Error).self) { _ = try await SandboxNode(config: config, logger: logger) }
        }
        close(taken.socket)
        let node = try await SandboxNode(config: config, logger: logger)
        var leader = false
        for _ in 0..<200 where !leader {
            leader = node.status.role == .leader
            if !leader { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(leader, "the restarted node elects itself: \(node.status.role)")
        await node.shutdown(logger: logger)
    }
}
