#if canImport(Glibc)
    import Glibc
#endif

/// Why a request got no HTTP answer.
struct ConnectionError: Error, CustomStringConvertible {
    var description: String
}

/// One keep-alive HTTP/1.1 connection over a blocking socket, with a send and receive timeout.
/// A load thread owns it; a failed request closes it (the next one reconnects).
final class HTTPConnection {
    let port: UInt16
    let timeoutMillis: Int
    private var socket: Int32 = -1
    /// Bytes read, of which `start..<end` are not parsed yet (reused from response to response).
    var buffer = [UInt8](repeating: 0, count: 16_384)
    var start = 0
    var end = 0
    private static let maxResponseBytes = 1 << 20

    init(port: UInt16, timeoutMillis: Int) {
        self.port = port
        self.timeoutMillis = timeoutMillis
    }

    deinit { close() }

    func close() {
        if socket >= 0 { _ = Glibc.close(socket) }
        socket = -1
        start = 0
        end = 0
    }

    /// Sends `request` (a whole HTTP/1.1 request) and returns the status and body.
    func send(_ request: [UInt8]) throws(ConnectionError) -> (status: Int, body: [UInt8]) {
        if socket < 0 { try connect() }
        do {
            try write(request)
            return try readResponse()
        } catch {
            close()
            throw error
        }
    }

    private func connect() throws(ConnectionError) {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectionError(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: timeoutMillis / 1000, tv_usec: (timeoutMillis % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            _ = Glibc.close(fd)
            throw ConnectionError(description: "connect to port \(port): errno \(errno)")
        }
        socket = fd
    }

    private func write(_ bytes: [UInt8]) throws(ConnectionError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, 0) }
            guard count > 0 else { throw ConnectionError(description: "send: errno \(errno)") }
            sent += count
        }
    }

    /// Reads more bytes into `buffer` (moving the unparsed bytes to its front, growing it when
    /// they fill it); throws on a timeout, a closed connection or a response over 1 MiB.
    func fill() throws(ConnectionError) {
        if start == end {
            start = 0
            end = 0
        } else if end == buffer.count, start > 0 {
            buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.baseAddress!.update(from: bytes.baseAddress! + start, count: end - start)
            }
            end -= start
            start = 0
        }
        if end == buffer.count {
            guard buffer.count < Self.maxResponseBytes else { throw ConnectionError(description: "response too large") }
            buffer += [UInt8](repeating: 0, count: buffer.count)
        }
        let count = buffer.withUnsafeMutableBytes { Glibc.recv(socket, $0.baseAddress! + end, $0.count - end, 0) }
        guard count > 0 else {
            throw ConnectionError(description: count == 0 ? "connection closed" : "recv: errno \(errno)")
        }
        end += count
    }
}
