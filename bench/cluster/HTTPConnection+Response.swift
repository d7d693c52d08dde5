/// Parsing one HTTP/1.1 response: the status line, `Content-Length` or chunked bodies,
/// `Connection: close`.
extension HTTPConnection {
    func readResponse() throws(ConnectionError) -> (status: Int, body: [UInt8]) {
        var headerEnd = find([13, 10, 13, 10], from: 0)
        while headerEnd == nil {
            try fill()
            headerEnd = find([13, 10, 13, 10], from: 0)
        }
        let head = String(decoding: buffer[..<headerEnd!], as: UTF8.self).lowercased()
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ConnectionError(description: "bad status line")
        }
        var length: Int? = nil
        var chunked = false
        var closes = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            let value = line[line.index(after: colon)...].trimmingSpaces
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.contains("chunked") { chunked = true }
            if name == "connection", value == "close" { closes = true }
        }
        buffer.removeFirst(headerEnd! + 4)
        let body = chunked ? try readChunked() : try readBody(length ?? 0)
        if closes { close() }
        return (status, body)
    }

    private func readBody(_ length: Int) throws(ConnectionError) -> [UInt8] {
        while buffer.count < length { try fill() }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return body
    }

    private func readChunked() throws(ConnectionError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = find([13, 10], from: 0)
            while lineEnd == nil {
                try fill()
                lineEnd = find([13, 10], from: 0)
            }
            let sizeText = String(decoding: buffer[..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16) else {
                throw ConnectionError(description: "bad chunk size")
            }
            buffer.removeFirst(lineEnd! + 2)
            let chunk = try readBody(size + 2)
            if size == 0 { return body }
            body += chunk.dropLast(2)
        }
    }

    /// The offset of `pattern` in the read buffer.
    private func find(_ pattern: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= buffer.count {
            if buffer[index] == pattern[0], Array(buffer[index..<index + pattern.count]) == pattern { return index }
            index += 1
        }
        return nil
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
