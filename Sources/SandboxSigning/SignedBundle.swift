import Foundation
import JSON

/// A bundle with its signature and the id of the key that made it: the body of
/// `GET /v1/policies/{agent_id}` and the file `sandboxctl policy verify` reads.
public struct SignedBundle: Sendable, Hashable {
    public var bundle: PolicyBundle
    /// 64 bytes (Ed25519).
    public var signature: [UInt8]
    public var keyID: String

    public init(bundle: PolicyBundle, signature: [UInt8], keyID: String) {
        self.bundle = bundle
        self.signature = signature
        self.keyID = keyID
    }

    public var signatureBase64: String { Data(signature).base64EncodedString() }

    /// `{"bundle": {...}, "signature": base64, "key_id": hex}`.
    public var jsonValue: JSONValue {
        .object(["bundle": bundle.jsonValue, "signature": .string(signatureBase64), "key_id": .string(keyID)])
    }

    /// Reads the document; other top-level members are ignored (they are not signed).
    public init(json: JSONValue) throws(SigningError) {
        guard case .object(let members) = json else { throw .malformedBundle("the document must be a JSON object") }
        guard let bundle = members["bundle"] else { throw .malformedBundle("`bundle` is missing") }
        guard case .string(let signature)? = members["signature"] else {
            throw .malformedBundle("`signature` is missing")
        }
        guard case .string(let keyID)? = members["key_id"] else { throw .malformedBundle("`key_id` is missing") }
        guard let bytes = Data(base64Encoded: signature), bytes.count == 64 else { throw .malformedSignature }
        self.init(bundle: try PolicyBundle(json: bundle), signature: Array(bytes), keyID: keyID)
    }

    /// Checks the signature with the named key among `keys`, then that `sha256` is the digest of
    /// `yaml`. Throws the first failure.
    public func verify(with keys: [VerificationKey]) throws(SigningError) {
        guard let key = keys.first(where: { $0.keyID == keyID }) else {
            throw .unknownKey(keyID: keyID, known: keys.map(\.keyID))
        }
        guard key.isValidSignature(signature, for: bundle.canonicalBytes) else { throw .badSignature(keyID: keyID) }
        let actual = PolicyBundle.digest(of: bundle.yaml)
        guard actual == bundle.sha256 else { throw .digestMismatch(stated: bundle.sha256, actual: actual) }
    }
}
