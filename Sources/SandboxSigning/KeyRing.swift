/// The keys a node signs and verifies with: the active signing key, and the public keys of
/// earlier signing keys (kept after a rotation so bundles signed before it still verify).
public struct KeyRing: Sendable {
    public let signingKey: SigningKey
    /// Earlier keys, for verification only (never the active key twice).
    public let retiredKeys: [VerificationKey]

    public init(signingKey: SigningKey, retiredKeys: [VerificationKey] = []) {
        self.signingKey = signingKey
        var seen: Set<String> = [signingKey.keyID]
        self.retiredKeys = retiredKeys.filter { seen.insert($0.keyID).inserted }
    }

    /// Every key, the active one first.
    public var keys: [VerificationKey] { [signingKey.verificationKey] + retiredKeys }

    /// Signs `bundle` with the active key.
    public func sign(_ bundle: PolicyBundle) -> SignedBundle {
        let signature = signingKey.sign(bundle.canonicalBytes)
        return SignedBundle(bundle: bundle, signature: signature, keyID: signingKey.keyID)
    }

    /// Checks `signed` against the key it names (active or retired).
    public func verify(_ signed: SignedBundle) throws(SigningError) {
        try signed.verify(with: keys)
    }
}
