/// Parsing one HTTP/1.1 response: the status line, `Content-Length` or chunked bodies,
/// `Connection: close`. On bytes, in place in the read buffer: the load generator shares the
/// two cores with the servers it measures, so it spends as little CPU per response as it can
/// (no strings, no copies but the body's).
extension HTTPConnection {
    func readResponse() throws(ConnectionError) -> (status: Int, body: [UInt8]) {
        var headerEnd = find(Self.headEnd)
        while headerEnd == nil {
            try fill()
            headerEnd = find(Self.headEnd)
        }
        let head = buffer[start..<headerEnd!]
        // "HTTP/1.1 200 OK": three digits after the first space.
        guard let space = head.firstIndex(of: 32), space + 3 < head.endIndex,
            let status = Self.decimal(head[space + 1..<space + 4])
        else { throw ConnectionError(description: "bad status line") }
        var length = 0
        var chunked = false
        var closes = false
        var line = head.firstIndex(of: 10).map { $0 + 1 } ?? head.endIndex
        while line < head.endIndex {
            let lineEnd = head[line...].firstIndex(of: 13) ?? head.endIndex
            let field = head[line..<lineEnd]
            if let colon = field.firstIndex(of: 58) {
                var valueStart = colon + 1
                while valueStart < lineEnd, head[valueStart] == 32 { valueStart += 1 }
                let name = field[..<colon]
                let value = head[valueStart..<lineEnd]
                if Self.equalIgnoringCase(name, "content-length") {
                    guard let parsed = Self.decimal(value) else { throw ConnectionError(description: "bad length") }
                    length = parsed
                } else if Self.equalIgnoringCase(name, "transfer-encoding") {
                    chunked = Self.contains(value, "chunked")
                } else if Self.equalIgnoringCase(name, "connection") {
                    closes = Self.equalIgnoringCase(value, "close")
                }
            }
            line = lineEnd + 2
        }
        start = headerEnd! + 4
        let body = chunked ? try readChunked() : try readBody(length)
        if closes { close() }
        return (status, body)
    }

    private func readBody(_ length: Int) throws(ConnectionError) -> [UInt8] {
        while end - start < length { try fill() }
        let body = Array(buffer[start..<start + length])
        start += length
        return body
    }

    private func readChunked() throws(ConnectionError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = find(Self.lineEnd)
            while lineEnd == nil {
                try fill()
                lineEnd = find(Self.lineEnd)
            }
            let line = buffer[start..<lineEnd!]
            let sizeText = line[..<(line.firstIndex(of: 59) ?? line.endIndex)]  // before any ";extension"
            guard let size = Self.hexadecimal(sizeText) else { throw ConnectionError(description: "bad chunk size") }
            start = lineEnd! + 2
            let chunk = try readBody(size + 2)
            if size == 0 { return body }
            body += chunk.dropLast(2)
        }
    }

    private static let headEnd: [UInt8] = [13, 10, 13, 10]
    private static let lineEnd: [UInt8] = [13, 10]

    /// The offset of `pattern` in the unread part of the buffer.
    private func find(_ pattern: [UInt8]) -> Int? {
        guard end - start >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= end {
            if buffer[index] == pattern[0] {
                var offset = 1
                while offset < pattern.count, buffer[index + offset] == pattern[offset] { offset += 1 }
                if offset == pattern.count { return index }
            }
            index += 1
        }
        return nil
    }

    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int? { number(digits, radix: 10) }

    private static func hexadecimal(_ digits: ArraySlice<UInt8>) -> Int? { number(digits, radix: 16) }

    /// The number `digits` spell (at most 12, trailing spaces ignored) in base 10 or 16.
    private static func number(_ digits: ArraySlice<UInt8>, radix: Int) -> Int? {
        var end = digits.endIndex
        while end > digits.startIndex, digits[end - 1] == 32 { end -= 1 }
        guard end > digits.startIndex, end - digits.startIndex <= 12 else { return nil }
        var value = 0
        for byte in digits[..<end] {
            let digit: Int
            switch byte {
            case 48...57: digit = Int(byte) - 48
            case 97...102 where radix == 16: digit = Int(byte) - 87
            case 65...70 where radix == 16: digit = Int(byte) - 55
            default: return nil
            }
            value = value * radix + digit
        }
        return value
    }

    /// Whether `bytes` is `lowercase` (ASCII, any case).
    private static func equalIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return zip(bytes, expected).allSatisfy { ($0 | 0x20) == $1 }
    }

    private static func contains(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return (bytes.startIndex...bytes.endIndex - count).contains { offset in
            equalIgnoringCase(bytes[offset..<offset + count], lowercase)
        }
    }
}
