import SandboxSigning

/// Why a policy bundle was refused (the cache keeps what it held), or why none could be fetched.
public enum PolicyCacheError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bundle did not verify: a bad or unknown signature, an altered text, a malformed
    /// document, or a version older than one held before (`SigningError.olderVersion`: a
    /// rollback, refused).
    case unverified(SigningError)
    /// A verified bundle of another agent.
    case otherAgent(String)
    /// The same version with another text: versions never change, so this is not believed.
    case changedWithoutNewVersion(version: UInt64)
    /// The policy verified but does not compile here (the client's engine is older?).
    case uncompilable(String)
    /// No node served a bundle (no policy published yet, refused, or unreachable).
    case unavailable(String)
    /// Caching is off: no public key configured, or `cachesPolicy` false.
    case disabled

    public var description: String {
        switch self {
        case .unverified(let error): return "policy bundle refused: \(error)"
        case .otherAgent(let agent): return "policy bundle refused: it is agent `\(agent)`'s"
        case .changedWithoutNewVersion(let version):
            return "policy bundle refused: version \(version) with another text than the one held"
        case .uncompilable(let why): return "policy bundle refused: it does not compile here: \(why)"
        case .unavailable(let why): return "no policy bundle: \(why)"
        case .disabled:
            return "the policy cache is off: give policyPublicKeys (GET /v1/keys) to keep a verified copy"
        }
    }
}
