import Hummingbird
import JSON
import SandboxSigning
import SandboxState

/// Stored policy versions as signed bundles, and their entity tags. Bundles are signed when
/// served (the key never enters the replicated state); Ed25519 signatures are deterministic,
/// so every node holding the cluster's key serves the same bytes for the same version.
enum PolicyBundles {
    static func bundle(_ record: PolicyVersionRecord) -> PolicyBundle {
        PolicyBundle(
            agentID: record.agent, version: UInt64(record.version), yaml: record.yaml,
            sha256: record.sha256.hexString, timestamp: record.timeMillis / 1000)
    }

    static func signed(_ record: PolicyVersionRecord, _ keys: KeyRing) -> SignedBundle {
        keys.sign(bundle(record))
    }

    /// The entity tag of a served bundle: its version and the signing key (a rotation changes
    /// the bytes served, so it changes the tag).
    static func etag(_ record: PolicyVersionRecord, _ keys: KeyRing) -> String {
        "\"\(record.version)-\(keys.signingKey.keyID)\""
    }

    /// Whether an `If-None-Match` header names `etag` (a list, weak tags and `*` included).
    static func matches(_ ifNoneMatch: String?, _ etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        for tag in ifNoneMatch.split(separator: ",") {
            var text = tag.trimmingCharacters(in: .whitespaces)
            if text == "*" { return true }
            if text.hasPrefix("W/") { text.removeFirst(2) }
            if text == etag { return true }
        }
        return false
    }

    static func response(_ record: PolicyVersionRecord, _ keys: KeyRing) -> Response {
        JSONResponses.json(signed(record, keys).jsonValue, headers: [.eTag: etag(record, keys)])
    }

    static func notModified(_ etag: String) -> Response {
        Response(status: .notModified, headers: [.eTag: etag])
    }
}
