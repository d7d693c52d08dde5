import Foundation

/// Reads key text: base64 of the 32 raw key bytes, or PEM (PKCS#8 for a private key, SPKI for a
/// public key) as OpenSSL writes Ed25519 keys. White space around the text is ignored.
enum KeyText {
    /// DER prefixes of the two fixed-size Ed25519 encodings (RFC 8410).
    static let privatePrefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// At most this much key text is read (a key is under 200 bytes in any of its forms).
    static let maximumBytes = 4096

    static func rawKey(_ text: String, derPrefix: [UInt8]) throws(SigningError) -> [UInt8] {
        guard text.utf8.count <= maximumBytes else { throw .unreadableKey("over \(maximumBytes) bytes of text") }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let isPEM = lines.first?.hasPrefix("-----BEGIN") == true
        let body = lines.filter { !$0.hasPrefix("-----") }.joined()
        guard let decoded = Data(base64Encoded: body) else { throw .unreadableKey("not base64") }
        let bytes = Array(decoded)
        if bytes.count == 32, !isPEM { return bytes }
        if bytes.count == derPrefix.count + 32, Array(bytes.prefix(derPrefix.count)) == derPrefix {
            return Array(bytes.suffix(32))
        }
        throw .unreadableKey("\(bytes.count) bytes decoded, not an Ed25519 key of 32 bytes")
    }
}
