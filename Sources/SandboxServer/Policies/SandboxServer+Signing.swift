import Logging
import SandboxSigning

extension SandboxServer {
    /// The node's key ring from the configuration. Without a signing key a node refuses to
    /// start: every node must sign with the cluster's one key, and a key made up by one node
    /// would make its bundles fail to verify against the others' `GET /v1/keys`. In `--dev` (a
    /// single node) a throwaway key is made instead, and the log says so.
    static func keyRing(_ config: ServerConfig, dev: Bool, logger: Logger) throws(SigningConfigError) -> KeyRing {
        let retired = config.retiredSigningKeys.compactMap { try? VerificationKey(rawBytes: $0) }
        if let raw = config.signingKey, let key = try? SigningKey(rawBytes: raw) {
            logger.info(
                "policy bundles are signed", metadata: ["key_id": "\(key.keyID)", "retired_keys": "\(retired.count)"])
            return KeyRing(signingKey: key, retiredKeys: retired)
        }
        guard dev else { throw SigningConfigError() }
        var random = SystemRandomNumberGenerator()
        let key = SigningKey.generate(using: &random)
        logger.warning(
            "DEV MODE: policy bundles are signed with a throwaway key made at start (gone at exit); configure --signing-key-file for anything else",
            metadata: ["key_id": "\(key.keyID)"])
        return KeyRing(signingKey: key, retiredKeys: retired)
    }
}

/// No signing key is configured.
struct SigningConfigError: Error, CustomStringConvertible {
    var description: String {
        "no policy-signing key: give every node the same --signing-key-file (or SANDBOX_SIGNING_KEY_FILE / "
            + "SANDBOX_SIGNING_KEY); make one with `head -c 32 /dev/urandom | base64 > signing.key` or "
            + "`openssl genpkey -algorithm ed25519 -out signing.pem`"
    }
}
