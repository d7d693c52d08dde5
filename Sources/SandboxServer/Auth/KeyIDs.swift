/// Public ids of agent keys (`key_id`): the first 8 bytes, in hex, of an HMAC-SHA-256 of the
/// key's stored SHA-256 under a secret every node shares (derived from the cluster's signing
/// key). An id shown to viewers is therefore no part of the key's hash: nobody without the
/// secret can test guesses of a weak chosen key against it offline. Every node derives the
/// same ids; after a signing-key rotation the ids change (list them again). Pure.
struct KeyIDs: Sendable {
    private let key: [UInt8]

    init(secret: [UInt8]) {
        key = HMACSHA256.mac(key: secret, Array("agent-sandbox agent key ids v1".utf8))
    }

    /// The id of the key whose SHA-256 is `hash`.
    func id(_ hash: [UInt8]) -> String {
        HMACSHA256.mac(key: key, hash).prefix(8).map(IdentityInput.hex).joined()
    }
}
