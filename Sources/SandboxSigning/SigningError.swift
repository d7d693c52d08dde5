/// Why a key could not be read or a bundle could not be verified. Each message says what is
/// wrong and what to do about it.
public enum SigningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Key text that is neither base64 of the 32 raw bytes nor PEM of an Ed25519 key.
    case unreadableKey(String)
    /// A bundle signed by a key this ring does not hold.
    case unknownKey(keyID: String, known: [String])
    /// The signature is not 64 bytes of base64.
    case malformedSignature
    /// The signature does not verify: the bundle or the signature was changed.
    case badSignature(keyID: String)
    /// The bundle's `sha256` is not the SHA-256 of its `yaml`.
    case digestMismatch(stated: String, actual: String)
    /// The bundle document is not the shape `GET /v1/policies/{agent_id}` answers.
    case malformedBundle(String)
    /// The bundle is older than the newest the client has seen (a rollback attack or a stale node).
    case olderVersion(version: UInt64, minimum: UInt64)

    public var description: String {
        switch self {
        case .unreadableKey(let detail):
            return "unreadable Ed25519 key: \(detail) (give base64 of the 32 raw key bytes, or PEM from "
                + "`openssl genpkey -algorithm ed25519` / `openssl pkey -pubout`)"
        case .unknownKey(let keyID, let known):
            return "the bundle is signed by key \(keyID), which is not among the known keys "
                + "(\(known.joined(separator: ", "))): fetch the current keys from GET /v1/keys"
        case .malformedSignature:
            return "the signature is not base64 of 64 bytes"
        case .badSignature(let keyID):
            return "the signature does not verify with key \(keyID): the bundle was altered or signed by another key"
        case .digestMismatch(let stated, let actual):
            return "the bundle's sha256 (\(stated)) is not the SHA-256 of its yaml (\(actual)): the text was altered"
        case .malformedBundle(let detail):
            return "not a signed policy bundle: \(detail) (expected {\"bundle\": {\"agent_id\", \"version\", "
                + "\"yaml\", \"sha256\", \"ts\"}, \"signature\", \"key_id\"})"
        case .olderVersion(let version, let minimum):
            return "the bundle's version \(version) is older than \(minimum): refusing a rolled-back policy"
        }
    }
}
