import Crypto
import SandboxWire

/// The handshake's proofs as HMAC-SHA256 under the cluster secret; nonces from the injected
/// generator (`TCPTransportConfig.nonceGenerator`). Codes are compared in constant time
/// (`HMAC.isValidAuthenticationCode`).
struct HMACAuthenticator: PeerAuthenticator {
    let key: SymmetricKey
    let nonces: @Sendable () -> [UInt8]

    init(secret: [UInt8], nonces: @escaping @Sendable () -> [UInt8]) {
        key = SymmetricKey(data: secret)
        self.nonces = nonces
    }

    func code(for message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    func isValid(_ code: [UInt8], for message: [UInt8]) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key)
    }

    func nonce() -> [UInt8] { nonces() }
}
