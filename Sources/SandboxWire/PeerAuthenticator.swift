import Raft

/// Proves knowledge of the cluster secret in the peer handshake: a keyed MAC (HMAC-SHA256 in
/// `SandboxTransport`) over a `HandshakeTranscript`, and fresh nonces. Injected, so this module
/// stays pure.
public protocol PeerAuthenticator: Sendable {
    /// The MAC of `message` under the cluster secret.
    func code(for message: [UInt8]) -> [UInt8]
    /// Whether `code` is the MAC of `message`, compared in constant time.
    func isValid(_ code: [UInt8], for message: [UInt8]) -> Bool
    /// A fresh, unpredictable challenge (16 bytes or more).
    func nonce() -> [UInt8]
}

/// What each side's proof covers: its role, the cluster, both node ids and both nonces — the
/// other side's fresh nonce makes a recorded proof worthless on another connection, the role
/// makes the acceptor's proof useless as the dialler's.
public enum HandshakeTranscript {
    public static let minimumNonceBytes = 16

    /// The acceptor's proof, sent in its `welcome`.
    public static func welcome(
        clusterID: String, acceptor: NodeID, dialler: NodeID, diallerNonce: [UInt8], acceptorNonce: [UInt8]
    ) -> [UInt8] {
        encode("sandbox-peer-welcome", clusterID, acceptor, dialler, diallerNonce, acceptorNonce)
    }

    /// The dialler's proof, sent in its second `hello`.
    public static func hello(
        clusterID: String, dialler: NodeID, acceptor: NodeID, acceptorNonce: [UInt8], diallerNonce: [UInt8]
    ) -> [UInt8] {
        encode("sandbox-peer-hello", clusterID, dialler, acceptor, acceptorNonce, diallerNonce)
    }

    private static func encode(
        _ role: String, _ clusterID: String, _ sender: NodeID, _ receiver: NodeID, _ first: [UInt8],
        _ second: [UInt8]
    ) -> [UInt8] {
        var writer = ByteWriter(capacity: 128)
        writer.text(role)
        writer.text(clusterID)
        writer.u64(sender)
        writer.u64(receiver)
        writer.blob(first)
        writer.blob(second)
        return writer.bytes
    }
}
