/// What a load client sends: a budgeted, allowed `sandboxd` decision or a plain etcd put.
enum LoadTarget {
    case sandboxd(agentKey: String)
    case etcd

    /// The whole HTTP/1.1 request for operation `sequence` of client `client` on `port`; a
    /// retry sends the same bytes (for sandboxd: the same request id).
    func request(client: Int, sequence: Int, run: String, port: UInt16) -> [UInt8] {
        let path: String
        let body: String
        var headers = ""
        switch self {
        case .sandboxd(let key):
            path = "/v1/decisions"
            headers = "X-Agent-Key: \(key)\r\nIdempotency-Key: \(run)-\(client)-\(sequence)\r\n"
            body =
                #"{"tool":"crm.read","params":{"customer":"c-\#(client)","fields":["name","tier"],"limit":10},"#
                + #""cost_usd":0.001}"#
        case .etcd:
            path = "/v3/kv/put"
            let key = Base64.encode(Array("bench/\(client)/\(sequence % 1000)".utf8))
            let value = Base64.encode(Array("\(run)-\(client)-\(sequence) crm.read customer c-\(client)".utf8))
            body = #"{"key":"\#(key)","value":"\#(value)"}"#
        }
        let text =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n\(headers)"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return Array(text.utf8)
    }

    /// Whether an answer is a success (a decision, or a put's header).
    func succeeded(status: Int, body: [UInt8]) -> Bool {
        guard status == 200 else { return false }
        switch self {
        case .sandboxd: return body.contains(Self.allowed)
        case .etcd: return body.contains(Self.header)
        }
    }

    private static let allowed = Array(#""decision":"allow""#.utf8)
    private static let header = Array(#""header""#.utf8)
}

extension [UInt8] {
    /// Whether `pattern` occurs in these bytes.
    func contains(_ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, count >= pattern.count else { return false }
        var index = 0
        while index + pattern.count <= count {
            if self[index] == first, self[index..<index + pattern.count].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }
}

/// Standard base64 (etcd's JSON gateway takes keys and values as base64 bytes).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 { group = group << 8 | UInt32(offset < count ? bytes[index + offset] : 0) }
            for position in 0..<4 {
                let sextet = Int(group >> UInt32(18 - 6 * position) & 63)
                out.append(position <= count ? alphabet[sextet] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
