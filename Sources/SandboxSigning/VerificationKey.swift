import Crypto
import Foundation

/// An Ed25519 public key with its key id: what `GET /v1/keys` serves and clients verify with.
public struct VerificationKey: Sendable, Hashable {
    /// The 32 raw public-key bytes.
    public let rawBytes: [UInt8]
    /// ``KeyID``: 16 hex characters.
    public let keyID: String

    public init(rawBytes: [UInt8]) throws(SigningError) {
        guard rawBytes.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: rawBytes)) != nil else {
            throw .unreadableKey("an Ed25519 public key is 32 bytes, got \(rawBytes.count)")
        }
        self.rawBytes = rawBytes
        keyID = KeyID.of(publicKey: rawBytes)
    }

    /// Base64 of the raw bytes, or PEM (SPKI) as `openssl pkey -pubout` writes it.
    public init(text: String) throws(SigningError) {
        try self.init(rawBytes: try KeyText.rawKey(text, derPrefix: KeyText.publicPrefix))
    }

    /// Base64 of the 32 raw bytes (the form `GET /v1/keys` serves).
    public var base64: String { Data(rawBytes).base64EncodedString() }

    /// Whether `signature` is this key's signature of `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawBytes) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
