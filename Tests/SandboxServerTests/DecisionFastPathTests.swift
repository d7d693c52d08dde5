import Foundation
import ServerTestSupport
import Testing

/// `POST /v1/decisions` on its fast path (`DecisionFastPath`): what HTTP/1.1 lets a client do
/// — pipeline, split or chunk a body, half-close, send too much or too slowly — gets the same
/// answers, in the same order, as through the router. A query string sends a decision through
/// the router instead (the fast path takes only the exact path), which is how these tests
/// compare the two; `sandbox_decisions_fast_path_total` counts what the fast path proposed.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DecisionFastPathTests {
    static let key = "agent-key-0123456789"

    static func decision(
        _ id: String?, key: String = key, fields: String = "", body: String? = nil, path: String = "/v1/decisions"
    ) -> String {
        let text = body ?? #"{"tool": "crm.read", "params": {"customer": "c-1"}}"#
        let idField = id.map { "Idempotency-Key: \($0)\r\n" } ?? ""
        return "POST \(path) HTTP/1.1\r\nHost: x\r\nX-Agent-Key: \(key)\r\n\(idField)\(fields)"
            + "Content-Type: application/json\r\nContent-Length: \(text.utf8.count)\r\n\r\n\(text)"
    }

    static let health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"

    static func startNode() async throws -> LocalCluster {
        let cluster = LocalCluster(size: 1)
        try await cluster.startProvisioned(budget: 1000)
        return cluster
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWhicheverPathAnswersThem() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString
        let connection = try RawConnection(port: cluster.base)
        defer { connection.close() }
        try connection.send(
            Self.decision("\(tag)-a") + Self.health + Self.decision("\(tag)-b") + Self.decision("\(tag)-c", key: "nope")
                + Self.decision(nil) + Self.health + Self.decision("\(tag)-a"))
        let answers = try connection.responses(7)
        #expect(answers.map(\.status) == [200, 200, 200, 401, 400, 200, 200])
        #expect(answers[0].json["request_id"] as? String == "\(tag)-a")
        #expect(answers[0].json["replayed"] as? Bool == false)
        #expect(answers[1].json["status"] as? String == "ok")
        #expect(answers[2].json["request_id"] as? String == "\(tag)-b")
        #expect(answers[3].errorCode == "invalid_credentials")
        #expect(answers[4].errorMessage.contains("request id"), "\(answers[4].text)")
        #expect(answers[6].json["replayed"] as? Bool == true)
        #expect(answers[6].json["decision_id"] as? Int == answers[0].json["decision_id"] as? Int)
        // The router answered the pipelined ones after the first: both paths counted each once.
        #expect(answers[2].json["decision_id"] as? Int == (answers[0].json["decision_id"] as? Int ?? 0) + 1)
    }

    /// Requests written one by one while decisions wait: the socket is read on while nothing
    /// waits behind the decision (`DecisionFastPath.read`), what comes is held and answered in
    /// order, whichever path answers it.
    @Test func requestsArrivingWhileADecisionWaitsAreAnsweredInOrder() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString
        let connection = try RawConnection(port: cluster.base)
        defer { connection.close() }
        let count = 60
        var expected: [(status: Int, id: String?)] = []
        for index in 0..<count {
            switch index % 3 {
            case 0:
                try connection.send(Self.decision("\(tag)-\(index)"))
                expected.append((200, "\(tag)-\(index)"))
            case 1:
                try connection.send(Self.health)
                expected.append((200, nil))
            default:
                try connection.send(Self.decision("\(tag)-\(index)", key: "nope"))
                expected.append((401, nil))
            }
        }
        let answers = try connection.responses(count)
        #expect(answers.map(\.status) == expected.map(\.status))
        for (answer, want) in zip(answers, expected) where want.id != nil {
            #expect(answer.json["request_id"] as? String == want.id, "\(answer.text)")
        }
    }

    /// A one-node cluster and two connections to it, for the fast path and for the router (its
    /// requests sent with a query string), and a tag for request ids.
    static func onBothPaths(
        _ test: (_ fast: RawConnection, _ routed: RawConnection, _ tag: String) async throws -> Void
    )
        async throws
    {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString
        let fast = try RawConnection(port: cluster.base)
        let routed = try RawConnection(port: cluster.base)
        defer {
            fast.close()
            routed.close()
        }
        try await test(fast, routed, tag)
    }

    @Test func theFastPathAndTheRouterAnswerAlike() async throws {
        try await Self.onBothPaths { fast, routed, tag in
            let cases: [(String, String?)] = [
                (#"{"tool": "crm.read", "params": {"customer": "c-1"}}"#, "ok"),
                (#"{"tool": "crm.write", "params": {}}"#, "denied tool"),
                (#"{"tool": "crm.read", "params": [1]}"#, "params not an object"),
                (#"{"tool": "#, "not JSON"),
                (#"{"http": {"method": "GET"}}"#, "http without url"),
            ]
            for (index, (body, what)) in cases.enumerated() {
                try fast.send(Self.decision("\(tag)-f\(index)", body: body))
                try routed.send(Self.decision("\(tag)-r\(index)", body: body, path: "/v1/decisions?via=router"))
                let (viaFast, viaRouter) = (try fast.responses(1)[0], try routed.responses(1)[0])
                #expect(viaFast.status == viaRouter.status, "\(what ?? body)")
                #expect(viaFast.contentType == viaRouter.contentType, "\(what ?? body)")
                var (a, b) = (viaFast.json, viaRouter.json)
                for volatile in ["request_id", "decision_id", "budget"] {
                    a[volatile] = nil
                    b[volatile] = nil
                }
                #expect(
                    NSDictionary(dictionary: a) == NSDictionary(dictionary: b), "\(viaFast.text) vs \(viaRouter.text)")
            }
        }
    }

    /// A member of the wrong type or out of range is a 400 that names it, on both paths, never
    /// read as absent (a `chain_depth` of `"7"` is not depth 0, a `cost_usd` of `"0.5"` not free);
    /// what the state machine would refuse at apply is refused before it is proposed; and the
    /// request id stays unused.
    @Test func badDecisionInputIsRefusedNamingWhatIsWrong() async throws {
        try await Self.onBothPaths { fast, routed, tag in
            let long = String(repeating: "a", count: 300)
            let cases: [(String, String)] = [
                (#"{"tool": "crm.read", "chain_depth": "7"}"#, "chain_depth"),
                (#"{"tool": "crm.read", "chain_depth": -1}"#, "chain_depth"),
                (#"{"tool": "crm.read", "chain_depth": 1.5}"#, "chain_depth"),
                (#"{"tool": "crm.read", "chain_depth": 1e10}"#, "chain_depth"),
                (#"{"http": {"method": "GET", "url": "https://a.example/"}, "chain_depth": true}"#, "chain_depth"),
                (#"{"tool": "crm.read", "cost_usd": "0.5"}"#, "cost_usd"),
                (#"{"tool": "crm.read", "cost_usd": -0.5}"#, "cost_usd"),
                (#"{"tool": "\#(long)"}"#, "tool"),
                (#"{"http": {"method": "", "url": "https://a.example/"}}"#, "http.method"),
                (#"{"http": {"method": "GET", "url": "https://a.example/", "body_bytes": -1}}"#, "http.body_bytes"),
                (#"{"http": "https://a.example/"}"#, "http"),
            ]
            for (index, (body, field)) in cases.enumerated() {
                try fast.send(Self.decision("\(tag)-f\(index)", body: body))
                try routed.send(Self.decision("\(tag)-r\(index)", body: body, path: "/v1/decisions?via=router"))
                for answer in [try fast.responses(1)[0], try routed.responses(1)[0]] {
                    #expect(answer.status == 400 && answer.errorMessage.contains(field), "\(body): \(answer.text)")
                }
            }
            // A request id the state machine would refuse: over 128 bytes, a control character.
            try fast.send(Self.decision(String(repeating: "r", count: 129)))
            try fast.send(Self.decision(nil, body: #"{"request_id": "a\u0001b", "tool": "crm.read"}"#))
            for answer in try fast.responses(2) {
                #expect(answer.status == 400 && answer.errorMessage.contains("request id"), "\(answer.text)")
            }
            // Nothing was decided under those ids: the same id with a good body is a first decision.
            try fast.send(Self.decision("\(tag)-f0"))
            let first = try fast.responses(1)[0]
            #expect(first.status == 200 && first.json["replayed"] as? Bool == false, "\(first.text)")
        }
    }

    static func fastPathCount(_ cluster: LocalCluster, _ name: String = "sandbox_decisions_fast_path_total") async
        -> Int?
    {
        guard let text = await cluster.text(1, "/metrics") else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    static func rawPathCount(_ cluster: LocalCluster) async -> Int? {
        await fastPathCount(cluster, "sandbox_decisions_raw_path_total")
    }

    /// A connection starts on the raw path (`RawDecisionPath`); a decision it hands to the
    /// router (an unknown key) leaves it there, any other request ends it for the connection,
    /// and the answers' heads are the same bytes on both fast paths.
    @Test func aConnectionDecidesFromItsBytesUntilAnotherRequest() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString
        let (fastBefore, rawBefore) = (await Self.fastPathCount(cluster) ?? -1, await Self.rawPathCount(cluster) ?? -1)
        let connection = try RawConnection(port: cluster.base)
        defer { connection.close() }
        try connection.send(Self.decision("\(tag)-1") + Self.decision("\(tag)-2"))
        let raw = try connection.responses(2)
        try connection.send(Self.decision("\(tag)-3", key: "nope"))
        #expect(try connection.responses(1)[0].status == 401)
        try connection.send(Self.decision("\(tag)-4"))
        #expect(try connection.responses(1)[0].json["request_id"] as? String == "\(tag)-4")
        #expect(await Self.rawPathCount(cluster) == rawBefore + 3, "the raw path goes on after the router's answer")

        try connection.send(Self.health)
        #expect(try connection.responses(1)[0].status == 200)
        try connection.send(Self.decision("\(tag)-5"))  // not pipelined: the decoded fast path's
        let decoded = try connection.responses(1)
        #expect(decoded[0].json["request_id"] as? String == "\(tag)-5")
        #expect(await Self.rawPathCount(cluster) == rawBefore + 3, "after another route the decoder reads everything")
        #expect(await Self.fastPathCount(cluster) == fastBefore + 4)
        #expect(raw[0].head == decoded[0].head, "\(raw[0].head) vs \(decoded[0].head)")
        #expect(raw[0].head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(raw[0].head)")
        #expect(raw.map { $0.json["request_id"] as? String } == ["\(tag)-1", "\(tag)-2"])
    }

    @Test func keepAliveTakesTheFastPathAndCloseOrAQueryTheRouter() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString
        let before = await Self.fastPathCount(cluster) ?? -1
        let connection = try RawConnection(port: cluster.base)
        defer { connection.close() }
        try connection.send(
            Self.decision("\(tag)-k1") + Self.decision("\(tag)-k2", fields: "Connection: Keep-Alive\r\n")
                + Self.decision("\(tag)-q", path: "/v1/decisions?via=router"))
        #expect(try connection.responses(3).map(\.status) == [200, 200, 200])
        #expect(await Self.fastPathCount(cluster) == before + 2)

        // After a request that closes the connection nothing more is read: a decision pipelined
        // behind it is not applied.
        let closing = try RawConnection(port: cluster.base)
        defer { closing.close() }
        try closing.send(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + Self.decision("\(tag)-after-close"))
        #expect(try closing.responses(1)[0].status == 200)
        #expect(closing.isClosedByPeer())
        let fresh = try RawConnection(port: cluster.base)
        defer { fresh.close() }
        try fresh.send(Self.decision("\(tag)-after-close"))
        #expect(try fresh.responses(1)[0].json["replayed"] as? Bool == false, "decided once, now")
    }

    @Test func aMalformedRequestBehindADecisionIsAnsweredAfterIt() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString
        // Without the fast path holding the decoder's error, the router answered it first (and
        // closed): the decision's answer was lost or came second, on most attempts.
        for attempt in 1...5 {
            let connection = try RawConnection(port: cluster.base)
            defer { connection.close() }
            try connection.send(Self.decision("\(tag)-\(attempt)") + "NOT-HTTP \u{1}\u{2}\r\n\r\n")
            let first = try connection.responses(1)[0]
            #expect(first.status == 200 && first.json["request_id"] as? String == "\(tag)-\(attempt)", "\(first.text)")
            #expect(try connection.responses(1)[0].status == 400)
            #expect(connection.isClosedByPeer())
        }
    }

    @Test func splitChunkedAndHalfClosedBodiesAreDecided() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let tag = UUID().uuidString

        let split = try RawConnection(port: cluster.base)
        defer { split.close() }
        let request = Self.decision("\(tag)-split")
        try split.send(String(request.dropLast(12)))
        try await Task.sleep(for: .milliseconds(300))
        try split.send(String(request.suffix(12)))
        #expect(try split.responses(1)[0].json["request_id"] as? String == "\(tag)-split")

        // A head that trickles in, a few bytes a read: taken once whole (the raw path parses it
        // again only when a line of it ends, `RawDecisionRequestTests`).
        let trickled = try RawConnection(port: cluster.base)
        defer { trickled.close() }
        let fields = (0..<20).map { "X-Trace-\($0): \(String(repeating: "t", count: 40))\r\n" }.joined()
        let slow = Array(Self.decision("\(tag)-trickled", fields: fields).utf8)
        for start in stride(from: 0, to: slow.count, by: 7) {
            try trickled.send(String(decoding: slow[start..<min(start + 7, slow.count)], as: UTF8.self))
            if start % 70 == 0 { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(try trickled.responses(1)[0].json["request_id"] as? String == "\(tag)-trickled")

        let chunked = try RawConnection(port: cluster.base)
        defer { chunked.close() }
        let body = #"{"tool": "crm.read", "params": {}}"#
        let (first, rest) = (body.prefix(10), body.dropFirst(10))
        try chunked.send(
            "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nX-Agent-Key: \(Self.key)\r\nIdempotency-Key: \(tag)-chunked\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "\(String(first.utf8.count, radix: 16))\r\n\(first)\r\n\(String(rest.utf8.count, radix: 16))\r\n\(rest)\r\n0\r\n\r\n"
        )
        #expect(try chunked.responses(1)[0].json["request_id"] as? String == "\(tag)-chunked")

        let halfClosed = try RawConnection(port: cluster.base)
        defer { halfClosed.close() }
        try halfClosed.send(Self.decision("\(tag)-half"))
        halfClosed.shutdownWrite()
        let answer = try halfClosed.responses(1)[0]
        #expect(answer.status == 200 && answer.json["request_id"] as? String == "\(tag)-half", "\(answer.text)")
    }

    @Test func aBodyOverTheLimitIsRefusedAndOneThatNeverEndsTimesOut() async throws {
        let cluster = try await Self.startNode()
        defer { cluster.stopAll() }
        let big = try RawConnection(port: cluster.base)
        defer { big.close() }
        let filler = String(repeating: "a", count: (1 << 20) + 10)
        let body = #"{"tool": "crm.read", "params": {"x": "\#(filler)"}}"#
        try big.send(
            "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nX-Agent-Key: \(Self.key)\r\nIdempotency-Key: big\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n")
        let refused = try big.responses(1)[0]
        #expect(refused.status == 413 && refused.errorCode == "too_large", "\(refused.text)")

        // Half a body, then nothing: 408 once `APILimits.bodyDeadline` (30 s) passed, and closed,
        // on the fast path and on the router's (a query string), both waited for at once. The
        // idle timeout (35 s) must not close either first: at 30 s it did, silently.
        // Each connection blocks a thread of its own for 30 s, not one of the test process's
        // cooperative threads (two on these machines: both blocked would stall every other
        // test, and a connection's task queued behind them started 15 s late, which counted in
        // its wait when the wait ran from before the tasks); its wait runs from its own send.
        // Meanwhile a connection on the raw path, answered and then idle, is closed after
        // `APILimits.idleTimeout` (35 s): the raw path keeps the connection state handler's rule.
        async let idle = onThreadOfItsOwn {
            let idle = try RawConnection(port: cluster.base, timeout: 50)
            defer { idle.close() }
            try idle.send(Self.decision("idle-\(UUID().uuidString)"))
            let answer = try idle.responses(1)[0]
            let answered = ContinuousClock.now
            return (answer.status, idle.isClosedByPeer(), ContinuousClock.now - answered)
        }
        let paths = ["/v1/decisions", "/v1/decisions?via=router"]
        let results = try await withThrowingTaskGroup(of: (String, RawConnection.Answer, Duration, Bool).self) {
            group in
            for path in paths {
                group.addTask {
                    try await onThreadOfItsOwn {
                        let slow = try RawConnection(port: cluster.base, timeout: 50)
                        defer { slow.close() }
                        let sent = ContinuousClock.now
                        try slow.send(String(Self.decision("slow-\(path)", path: path).dropLast(5)))
                        let late = try slow.responses(1)[0]
                        return (path, late, ContinuousClock.now - sent, slow.isClosedByPeer())
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == paths.count)
        for (path, late, waited, closed) in results {
            #expect(late.status == 408 && late.errorCode == "request_timeout", "\(path): \(late.text)")
            #expect(waited > .seconds(25) && waited < .seconds(45), "\(path): answered after \(waited)")
            #expect(closed, "\(path): the connection is closed after the 408")
        }
        let (status, closed, waited) = try await idle
        #expect(status == 200 && closed, "answered \(status), closed: \(closed)")
        #expect(waited > .seconds(33) && waited < .seconds(45), "closed after \(waited)")
    }
}

/// `body`'s result, run on a thread of its own: for blocking calls that wait long (a read of
/// 30 s), which on one of the cooperative pool's few threads would stall every other task.
func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A client's TCP connection to 127.0.0.1 that writes raw bytes and reads HTTP/1.1 answers
/// (bodies by `Content-Length`), each read bounded by `timeout` seconds.
final class RawConnection {
    struct Answer {
        var status: Int
        var contentType: String?
        var text: String
        /// The status line and fields as sent, the `Date` field's value blanked.
        var head = ""
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeout: Int = 10) throws {
        guard let fd = connectLoopback(port: port, receiveTimeout: timeout) else {
            throw Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        self.fd = fd
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: \(errno)") }
            sent += count
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func close() { Glibc.close(fd) }

    /// The next `count` answers; throws when one does not arrive within the timeout.
    func responses(_ count: Int) throws -> [Answer] {
        try (0..<count).map { _ in try response() }
    }

    /// Whether the server closed the connection (a read returns end of file at once).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func response() throws -> Answer {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int? = nil
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.upperBound
            if headEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(fields["content-length"] ?? "0") ?? 0
        while buffer.count < headEnd! + length { try fill() }
        let body = String(decoding: buffer[headEnd!..<(headEnd! + length)], as: UTF8.self)
        buffer.removeFirst(headEnd! + length)
        let dated = lines.map { $0.lowercased().hasPrefix("date:") ? "Date: -" : $0 }
        return Answer(
            status: status, contentType: fields["content-type"], text: body, head: dated.joined(separator: "\r\n"))
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        guard count > 0 else { throw Failure(description: "no answer (recv \(count), errno \(errno))") }
        buffer += chunk[..<count]
    }
}
