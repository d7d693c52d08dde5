import Crypto
import Foundation

/// The cluster's Ed25519 signing key (the same on every node, from a file or a Kubernetes
/// Secret). Signatures are deterministic (RFC 8032 as BoringSSL implements it), so every node
/// signs a bundle alike.
public struct SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey
    public let verificationKey: VerificationKey

    /// From the 32 raw private-key bytes (the seed).
    public init(rawBytes: [UInt8]) throws(SigningError) {
        guard rawBytes.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawBytes) else {
            throw .unreadableKey("an Ed25519 private key is 32 bytes, got \(rawBytes.count)")
        }
        self.key = key
        verificationKey = try VerificationKey(rawBytes: Array(key.publicKey.rawRepresentation))
    }

    /// Base64 of the 32 raw bytes (`head -c 32 /dev/urandom | base64`), or PEM (PKCS#8) as
    /// `openssl genpkey -algorithm ed25519` writes it.
    public init(text: String) throws(SigningError) {
        try self.init(rawBytes: try KeyText.rawKey(text, derPrefix: KeyText.privatePrefix))
    }

    /// A fresh key from `generator` (a throwaway key for `--dev`; tests pass a seeded one).
    public static func generate(using generator: inout some RandomNumberGenerator) -> SigningKey {
        let seed = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // 32 bytes always make a valid Ed25519 seed.
        return try! SigningKey(rawBytes: seed)
    }

    public var keyID: String { verificationKey.keyID }

    /// The 32 raw private-key bytes (for the configuration; never logged).
    public var rawBytes: [UInt8] { Array(key.rawRepresentation) }

    /// The 64-byte signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        // BoringSSL's Ed25519 signing cannot fail for a valid key.
        Array(try! key.signature(for: message))
    }
}
