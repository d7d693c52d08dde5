import Foundation
import ServerTestSupport
import Testing

/// A client cannot hold a connection forever nor send unbounded headers: one that never
/// finishes its headers is disconnected after the idle timeout (30 s), and oversized headers
/// are refused at once.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SlowClientTests {
    /// A TCP connection to 127.0.0.1:`port` that sends `text`, then waits (at most `limit`)
    /// for the server to answer or close; what it read, and how long until the close.
    static func exchange(port: Int, _ text: String, limit: Int) -> (answer: String, closedAfter: Duration?) {
        guard let fd = connectLoopback(port: port, receiveTimeout: limit) else { return ("", nil) }
        defer { close(fd) }
        let started = ContinuousClock.now
        _ = Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                answer += buffer[0..<count]
                continue
            }
            // 0: closed by the server; -1: reset (closed) or our receive timeout (not closed).
            let closed = count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
            return (String(decoding: answer, as: UTF8.self), closed ? ContinuousClock.now - started : nil)
        }
    }

    @Test func slowHeadersAreCutOffAndHugeHeadersRefused() async throws {
        let cluster = LocalCluster(size: 1)
        defer { cluster.stopAll() }
        try cluster.startAll()
        try await waitFor("the node to serve") { await cluster.call(1, "GET", "/health")?.status == 200 }
        let port = cluster.base

        let huge = "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n"
        let refused = Self.exchange(port: port, huge, limit: 10)
        #expect(refused.closedAfter != nil && !refused.answer.contains("200 OK"), "\(refused.answer.prefix(80))")

        let slow = Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: x\r\n", limit: 50)
        let closedAfter = try #require(slow.closedAfter, "the server closed the half-sent request")
        #expect(closedAfter < .seconds(45) && closedAfter > .seconds(20), "closed after \(closedAfter)")
        #expect(!slow.answer.contains("200 OK"))
    }
}
