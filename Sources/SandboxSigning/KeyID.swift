import Crypto

/// A key's id: the first 8 bytes of the SHA-256 of its 32 raw public-key bytes, in lower-case hex
/// (16 characters). The same on every node that holds the key, and cheap to compare.
enum KeyID {
    static func of(publicKey raw: some Sequence<UInt8>) -> String {
        let digest = SHA256.hash(data: Array(raw))
        return Hex.encode(digest.prefix(8))
    }
}

/// Lower-case hexadecimal.
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
