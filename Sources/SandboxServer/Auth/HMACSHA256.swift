import SandboxState

/// HMAC-SHA-256 (RFC 2104) over the state module's SHA-256, for console session cookies and
/// CSRF tokens (compared with ``SandboxNode/constantTimeEqual(_:_:)``).
enum HMACSHA256 {
    static let blockSize = 64

    static func mac(key: [UInt8], _ message: some Sequence<UInt8>) -> [UInt8] {
        var block = key.count > blockSize ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
