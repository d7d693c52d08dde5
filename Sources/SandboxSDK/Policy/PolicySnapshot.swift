import Foundation
import SandboxPolicy

/// The agent's policy as the client holds it: a bundle whose signature verified against the
/// configured keys, compiled, never older than a version the client held before.
public struct PolicySnapshot: Sendable {
    public let agentID: String
    public let version: UInt64
    public let yaml: String
    /// Hex SHA-256 of `yaml`.
    public let sha256: String
    /// The key that signed it.
    public let keyID: String
    /// When it was published (the leader's clock).
    public let publishedAt: Date
    public let policy: CompiledPolicy
    /// The `ETag` it was served with (for the long poll's `If-None-Match`).
    let etag: String?
}
