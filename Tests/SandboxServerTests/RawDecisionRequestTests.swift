import NIOCore
import NIOEmbedded
import NIOHTTP1
import TestSupport
import Testing

@testable import SandboxServer

/// ``RawDecisionRequest``, the raw decision path's reader, against NIOHTTP1's decoder (what
/// reads every other request): whatever it takes as a whole decision, the decoder reads as the
/// same request — method, target, the two fields the decision reads, the body, and where the
/// request ends — and it never waits for bytes after something the decoder reads as a whole
/// request.
@Suite struct RawDecisionRequestTests {
    static func request(
        key: String? = "k-1", id: String? = "r-1", fields: [String] = [], body: String = #"{"tool":"t","params":{}}"#
    ) -> [UInt8] {
        var text = "POST /v1/decisions HTTP/1.1\r\nHost: x\r\n"
        if let key { text += "X-Agent-Key: \(key)\r\n" }
        if let id { text += "Idempotency-Key: \(id)\r\n" }
        for field in fields { text += field + "\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return Array(text.utf8)
    }

    static func parse(_ bytes: [UInt8]) -> RawDecisionRequest { bytes.withUnsafeBytes { RawDecisionRequest.parse($0) } }

    /// What NIOHTTP1's decoder reads from `bytes`: the first request's head, body and whether it
    /// ended, or the error it stops at.
    struct Decoded {
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        var ended = false
        var failed = false
        /// Requests read to their end, the first included.
        var requests = 0
    }

    static func decode(_ bytes: [UInt8]) -> Decoded {
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .fireError)))
        defer { _ = try? channel.finish() }
        var decoded = Decoded()
        do { try channel.writeInbound(ByteBuffer(bytes: bytes)) } catch { decoded.failed = true }
        while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
            switch part {
            case .head(let head) where !decoded.ended: decoded.head = head
            case .body(let chunk) where !decoded.ended: decoded.body += chunk.readableBytesView
            case .end:
                decoded.ended = true
                decoded.requests += 1
            default: break
            }
        }
        return decoded
    }

    @Test func thePlainestDecisionIsTakenAndEveryPrefixWaits() {
        let bytes = Self.request()
        guard case .decision(let length, let bodyStart, let key, let id) = Self.parse(bytes) else {
            Issue.record("not taken: \(Self.parse(bytes))")
            return
        }
        #expect(length == bytes.count && key == "k-1" && id == "r-1")
        #expect(Array(bytes[bodyStart...]) == Array(#"{"tool":"t","params":{}}"#.utf8))
        let headEnd = bytes.count - 24
        for cut in 0..<bytes.count {
            #expect(
                Self.parse(Array(bytes[..<cut])) == (cut >= headEnd ? .needBody(length: bytes.count) : .needHead),
                "cut at \(cut)")
        }
        // A second request behind it does not change where the first ends.
        guard case .decision(let again, _, _, _) = Self.parse(bytes + Self.request(id: "r-2")) else {
            Issue.record("pipelined: not taken")
            return
        }
        #expect(again == bytes.count)
        // Without the fields the decision reads it is still taken: the router's answer (401,
        // 400) comes when the node declines it.
        guard case .decision(_, _, nil, nil) = Self.parse(Self.request(key: nil, id: nil)) else {
            Issue.record("without the two fields: not taken")
            return
        }
    }

    @Test func whatThisPathDoesNotTakeIsOther() {
        let other: [(String, [UInt8])] = [
            ("another route", Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("a query", Array("POST /v1/decisions?x=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}".utf8)),
            ("HTTP/1.0", Array("POST /v1/decisions HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}".utf8)),
            ("lower-case method", Array("post /v1/decisions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}".utf8)),
            ("no length", Array("POST /v1/decisions HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("chunked", Self.request(fields: ["Transfer-Encoding: chunked"])),
            ("expect", Self.request(fields: ["Expect: 100-continue"])),
            ("upgrade", Self.request(fields: ["Upgrade: websocket"])),
            ("close", Self.request(fields: ["Connection: close"])),
            ("proxy-connection", Self.request(fields: ["Proxy-Connection: keep-alive"])),
            ("two lengths", Self.request(fields: ["Content-Length: 24"])),
            ("two keys", Self.request(fields: ["x-agent-key: k-2"])),
            ("a key with trailing space", Self.request(key: "k-1 ")),
            ("two ids", Self.request(fields: ["IDEMPOTENCY-KEY: r-2"])),
            ("a folded line", Self.request(fields: ["X-A: 1", " 2"])),
            ("space before the colon", Self.request(fields: ["X-A : 1"])),
            ("no colon", Self.request(fields: ["X-A"])),
            ("a control byte", Self.request(fields: ["X-A: 1\u{1}"])),
            ("obs-text", Self.request(fields: ["X-A: caf\u{e9}"])),
            ("a bare LF", Array("POST /v1/decisions HTTP/1.1\r\nHost: x\nContent-Length: 2\r\n\r\n{}".utf8)),
            ("a signed length", Array("POST /v1/decisions HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}".utf8)),
            ("a length over the limit", Array("POST /v1/decisions HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n".utf8)),
            ("too many fields", Self.request(fields: (0...APILimits.maxHeaderFields).map { "X-\($0): 1" })),
            ("a field over the limit", Self.request(fields: ["X-A: " + String(repeating: "a", count: 16 << 10)])),
        ]
        for (what, bytes) in other {
            #expect(Self.parse(bytes) == .other, "\(what)")
        }
        // A head that never ends is not waited on past the decoder's limit.
        let endless = Array("POST /v1/decisions HTTP/1.1\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 70_000)
        #expect(Self.parse(endless) == .other)
        // Fields it reads past, in any case, and `Connection: keep-alive`, change nothing.
        let plain = Self.request(fields: ["content-type: application/json", "CONNECTION: Keep-Alive", "X-Trace:\t1 2 "])
        guard case .decision(_, _, "k-1", "r-1") = Self.parse(plain) else {
            Issue.record("\(Self.parse(plain))")
            return
        }
    }

    /// Random requests, mutated byte by byte and field by field: whenever this reader takes one,
    /// the decoder reads the same request ending at the same byte; whenever it waits, the decoder
    /// has not read a whole request either. Other is always allowed (the decoder then reads it).
    @Test(arguments: 0..<4) func whatItTakesTheDecoderReadsAlike(round: Int) throws {
        var random = SeededGenerator(seed: 0x5EED_0000 + UInt64(round))
        let insertions = [
            "Transfer-Encoding: chunked", "Content-Length: 3", "Connection: close", "Connection: keep-alive",
            "Expect: 100-continue", "X-Agent-Key: k-2", "Idempotency-Key: r-9", "X-Empty:", "X-Tab:\tv",
            "Content-Length: 0", "Host: y", "Proxy-Connection: close", "Upgrade: h2c", "connection: Keep-Alive",
        ]
        var taken = 0
        for _ in 0..<2_000 {
            var bytes = Self.request(
                key: random.pick([nil, "k-1", "a b"]), id: random.pick([nil, "r-1", "r-\(random.next() % 1000)"]),
                fields: (0..<Int.random(in: 0...2, using: &random)).map { _ in random.pick(insertions) },
                body: random.pick([#"{"tool":"t","params":{}}"#, "", "{}", #"{"a":"\r\n\r\n"}"#]))
            for _ in 0..<Int.random(in: 0...2, using: &random) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[at] = random.pick(Array(" \t\r\n:-aZ0\u{1}".utf8) + [0x80, 0xFF])
                case 1: bytes.insert(random.pick(Array(" \t\r\n:".utf8)), at: at)
                case 2: bytes.remove(at: at)
                default: bytes = Array(bytes[..<at])
                }
            }
            if Bool.random(using: &random) { bytes += Self.request(id: "next") }
            let decoded = Self.decode(bytes)
            switch Self.parse(bytes) {
            case .decision(let length, let bodyStart, let key, let id):
                taken += 1
                let alone = Self.decode(Array(bytes[..<length]))
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(!alone.failed && alone.ended, "\(text)")
                #expect(alone.head?.method == .POST && alone.head?.uri == "/v1/decisions", "\(text)")
                #expect(alone.head?.version == .http1_1 && alone.head?.isKeepAlive == true, "\(text)")
                #expect(alone.head?.headers["X-Agent-Key"] == (key.map { [$0] } ?? []), "\(text)")
                #expect(alone.head?.headers["Idempotency-Key"] == (id.map { [$0] } ?? []), "\(text)")
                #expect(alone.body == Array(bytes[bodyStart..<length]), "\(text)")
                #expect(decoded.ended && decoded.body == alone.body, "the bytes after it change nothing: \(text)")
                // The decoder is at a request's start after it: a request behind it is read too.
                let next = Self.decode(Array(bytes[..<length]) + Self.request(id: "next"))
                #expect(!next.failed && next.requests == 2, "a request behind it is not read: \(text)")
            case .needHead, .needBody:
                #expect(
                    !decoded.ended, "waits, but the decoder read a request: \(String(decoding: bytes, as: UTF8.self))")
            case .other:
                break
            }
        }
        #expect(taken > 300, "too few taken to say much: \(taken)")
    }
    /// The path's shortcut for a head that arrives in pieces (``RawDecisionRequest/stillNeedsHead(_:parsedCount:)``):
    /// whenever it says a longer prefix still needs its head, a parse of that prefix says so too;
    /// and a head sent a byte at a time is parsed about once a line, not once a byte.
    @Test(arguments: 0..<2) func aHeadArrivingInPiecesIsParsedOnceALine(round: Int) {
        var random = SeededGenerator(seed: 0xC0FF_EE00 + UInt64(round))
        for _ in 0..<300 {
            var bytes = Self.request(fields: (0..<Int.random(in: 0...6, using: &random)).map { "X-\($0): \($0 * 7)" })
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(random.pick(Array(" \t\r\n:a".utf8)), at: at)
            }
            var parsedCount: Int? = nil
            for count in 0...bytes.count {
                let prefix = Array(bytes[..<count])
                let full = Self.parse(prefix)
                if let parsedCount,
                    prefix.withUnsafeBytes({ RawDecisionRequest.stillNeedsHead($0, parsedCount: parsedCount) })
                {
                    #expect(full == .needHead, "\(String(decoding: prefix, as: UTF8.self).debugDescription)")
                    continue
                }
                parsedCount = full == .needHead ? count : nil
            }
        }
        // 57 KB of header lines, a byte at a time: a parse per line (and per byte of the request
        // line), where there was one per byte.
        let lines = (0..<60).map { "X-Filler-\($0): " + String(repeating: "v", count: 940) }
        let head = Self.request(fields: lines)
        var parses = 0
        var parsedCount: Int? = nil
        var neededBytes = 0  // as the path waits for a body's last byte
        var last = RawDecisionRequest.other
        head.withUnsafeBytes { all in
            for count in 1...all.count where count >= neededBytes {
                let prefix = UnsafeRawBufferPointer(rebasing: all[..<count])
                if let parsedCount, RawDecisionRequest.stillNeedsHead(prefix, parsedCount: parsedCount) { continue }
                parses += 1
                last = RawDecisionRequest.parse(prefix)
                parsedCount = last == .needHead ? count : nil
                if case .needBody(let length) = last { neededBytes = length }
            }
        }
        #expect(head.count > 55_000)
        guard case .decision = last else {
            Issue.record("the whole request is not taken: \(last)")
            return
        }
        #expect(parses <= lines.count + 40, "\(parses) parses for \(head.count) bytes")
    }
}
