/// What ``RawDecisionPath`` reads from a connection's bytes: a whole `POST /v1/decisions`
/// request it may answer itself, the start of one, or something else, which NIOHTTP1's decoder
/// and the router get untouched. Pure: bytes in, a value out.
///
/// It takes only the plainest form of a decision, and everything else is "other" (the decoder
/// then answers it exactly as without this path): the request line exactly
/// `POST /v1/decisions HTTP/1.1`; header lines `name: value` with CRLF, a name of RFC 9110
/// token characters and a value of visible ASCII, spaces and tabs (no obs-text, no folded lines,
/// no bare CR or LF; in the fields read here no trailing space or tab, which the decoder keeps);
/// one `Content-Length` of decimal digits within `APILimits.maxBodyBytes`; no
/// `Transfer-Encoding`, `Expect`, `Upgrade` or `Proxy-Connection` (which llhttp reads as
/// `Connection`); `Connection` only `keep-alive`; at most one
/// `X-Agent-Key` and one `Idempotency-Key`; the head within the decoder's limits (fields, bytes
/// per field, bytes in all). Other fields are read past, as the route ignores them.
enum RawDecisionRequest: Equatable {
    /// A whole request: its length in bytes, where its body starts, and the two fields the
    /// decision reads.
    case decision(length: Int, bodyStart: Int, agentKey: String?, idempotencyKey: String?)
    /// A prefix of a request this path could take whose head is not yet whole.
    case needHead
    /// A decision's whole head and part of its body: nothing changes until `length` bytes are here.
    case needBody(length: Int)
    /// Not a request this path takes.
    case other

    static let requestLine = Array("POST /v1/decisions HTTP/1.1\r\n".utf8)

    static func parse(_ bytes: UnsafeRawBufferPointer) -> RawDecisionRequest {
        let count = bytes.count
        let line = requestLine
        guard count >= line.count else {
            for index in 0..<count where bytes[index] != line[index] { return .other }
            return .needHead
        }
        for index in 0..<line.count where bytes[index] != line[index] { return .other }
        var position = line.count
        var fields = 0
        var contentLength: Int? = nil
        var agentKey: String? = nil
        var idempotencyKey: String? = nil
        while true {
            // One header line: [position, end) and its CRLF.
            var end = position
            while end < count, bytes[end] != 0x0A { end += 1 }
            guard end < count else {
                return count - line.count > APILimits.maxHeaderBytes ? .other : .needHead
            }
            guard end > position, bytes[end - 1] == 0x0D else { return .other }
            let lineEnd = end - 1
            if lineEnd == position {  // the empty line: the head ends
                position = end + 1
                break
            }
            fields += 1
            guard fields <= APILimits.maxHeaderFields, lineEnd - position <= APILimits.maxHeaderFieldBytes,
                end + 1 - line.count <= APILimits.maxHeaderBytes
            else { return .other }
            var colon = position
            while colon < lineEnd, isTokenByte(bytes[colon]) { colon += 1 }
            guard colon > position, colon < lineEnd, bytes[colon] == 0x3A else { return .other }
            var valueStart = colon + 1
            let valueEnd = lineEnd
            while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
            for index in valueStart..<valueEnd {
                let byte = bytes[index]
                guard (byte >= 0x20 && byte < 0x7F) || byte == 0x09 else { return .other }
            }
            let name = UnsafeRawBufferPointer(rebasing: bytes[position..<colon])
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            let field = FieldName(name)
            // The decoder keeps a value's trailing white space: a field read here has none.
            if field != .ignored, let last = value.last, last == 0x20 || last == 0x09 { return .other }
            switch field {
            case .contentLength:
                guard contentLength == nil, !value.isEmpty, value.count <= 8 else { return .other }
                var length = 0
                for byte in value {
                    guard byte >= 0x30 && byte <= 0x39 else { return .other }
                    length = length * 10 + Int(byte - 0x30)
                }
                guard length <= APILimits.maxBodyBytes else { return .other }
                contentLength = length
            case .connection:
                guard equalsIgnoringCase(value, "keep-alive") else { return .other }
            case .transferEncoding, .expect, .upgrade, .proxyConnection:
                return .other
            case .agentKey:
                guard agentKey == nil else { return .other }
                agentKey = String(decoding: value, as: UTF8.self)
            case .idempotencyKey:
                guard idempotencyKey == nil else { return .other }
                idempotencyKey = String(decoding: value, as: UTF8.self)
            case .ignored:
                break
            }
            position = end + 1
        }
        guard let contentLength else { return .other }
        let length = position + contentLength
        guard count >= length else { return .needBody(length: length) }
        return .decision(length: length, bodyStart: position, agentKey: agentKey, idempotencyKey: idempotencyKey)
    }

    /// Whether `bytes` still parse to `.needHead` because the first `parsedCount` of them did and
    /// nothing after them ends a line: the reader decides at line ends (and past the head's limit),
    /// so a head arriving a few bytes at a time is parsed again once per line, not once per read
    /// (which for a 64 KiB head sent a byte at a time was about 2·10⁹ byte checks). False
    /// whenever a new parse is needed: a new line end, the head over its limit, or a request line
    /// not yet whole.
    static func stillNeedsHead(_ bytes: UnsafeRawBufferPointer, parsedCount: Int) -> Bool {
        guard parsedCount >= requestLine.count, parsedCount <= bytes.count,
            bytes.count - requestLine.count <= APILimits.maxHeaderBytes
        else { return false }
        for index in parsedCount..<bytes.count where bytes[index] == 0x0A { return false }
        return true
    }

    private enum FieldName {
        case contentLength, connection, proxyConnection, transferEncoding, expect, upgrade, agentKey, idempotencyKey
        case ignored

        init(_ name: UnsafeRawBufferPointer) {
            switch name.count {
            case 14 where RawDecisionRequest.equalsIgnoringCase(name, "content-length"): self = .contentLength
            case 10 where RawDecisionRequest.equalsIgnoringCase(name, "connection"): self = .connection
            // llhttp reads it as `Connection` (`close` ends what it parses on the connection).
            case 16 where RawDecisionRequest.equalsIgnoringCase(name, "proxy-connection"): self = .proxyConnection
            case 17 where RawDecisionRequest.equalsIgnoringCase(name, "transfer-encoding"): self = .transferEncoding
            case 6 where RawDecisionRequest.equalsIgnoringCase(name, "expect"): self = .expect
            case 7 where RawDecisionRequest.equalsIgnoringCase(name, "upgrade"): self = .upgrade
            case 11 where RawDecisionRequest.equalsIgnoringCase(name, "x-agent-key"): self = .agentKey
            case 15 where RawDecisionRequest.equalsIgnoringCase(name, "idempotency-key"): self = .idempotencyKey
            default: self = .ignored
            }
        }
    }

    /// Whether `bytes` are `lowercase`'s ASCII letters in either case (`lowercase` has no upper case).
    fileprivate static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }

    /// RFC 9110's `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}
