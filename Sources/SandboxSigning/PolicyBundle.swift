import Crypto
import JSON

/// What is signed: one version of an agent's policy. Its canonical bytes are the JSON object
/// `{"agent_id","sha256","ts","version","yaml"}` with keys sorted, no white space, integers
/// in decimal, strings escaped only where JSON requires it (`"`, `\`, control characters;
/// other characters as raw UTF-8) — the form `JSONValue.serialized()` and the audit chain use.
public struct PolicyBundle: Sendable, Hashable {
    public var agentID: String
    /// Versions only grow: a client refuses a bundle older than one it has seen.
    public var version: UInt64
    public var yaml: String
    /// Lower-case hex SHA-256 of `yaml`'s UTF-8 bytes.
    public var sha256: String
    /// When the version was published (seconds since the epoch, the leader's clock).
    public var timestamp: UInt64

    public init(agentID: String, version: UInt64, yaml: String, sha256: String, timestamp: UInt64) {
        self.agentID = agentID
        self.version = version
        self.yaml = yaml
        self.sha256 = sha256
        self.timestamp = timestamp
    }

    /// A bundle whose `sha256` is computed from `yaml`.
    public init(agentID: String, version: UInt64, yaml: String, timestamp: UInt64) {
        self.init(
            agentID: agentID, version: version, yaml: yaml, sha256: Self.digest(of: yaml), timestamp: timestamp)
    }

    /// Lower-case hex SHA-256 of a text's UTF-8 bytes.
    public static func digest(of text: String) -> String {
        Hex.encode(SHA256.hash(data: Array(text.utf8)))
    }

    public var jsonValue: JSONValue {
        .object([
            "agent_id": .string(agentID), "version": Self.integer(version), "yaml": .string(yaml),
            "sha256": .string(sha256), "ts": Self.integer(timestamp),
        ])
    }

    /// The bytes the signature covers.
    public var canonicalBytes: [UInt8] { Array(jsonValue.serialized(sortedKeys: true).utf8) }

    /// Reads the `bundle` member of a signed bundle; every field is required, no other is allowed
    /// (a field the signature does not cover must not change what the client believes).
    public init(json: JSONValue) throws(SigningError) {
        guard case .object(let members) = json else { throw .malformedBundle("`bundle` must be an object") }
        let known = ["agent_id", "version", "yaml", "sha256", "ts"]
        if let extra = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw .malformedBundle("unknown member `\(extra)` in `bundle`")
        }
        guard case .string(let agent)? = members["agent_id"] else { throw .malformedBundle("`agent_id` is missing") }
        guard case .string(let yaml)? = members["yaml"] else { throw .malformedBundle("`yaml` is missing") }
        guard case .string(let digest)? = members["sha256"] else { throw .malformedBundle("`sha256` is missing") }
        self.init(
            agentID: agent, version: try Self.count(members["version"], "version"), yaml: yaml, sha256: digest,
            timestamp: try Self.count(members["ts"], "ts"))
    }

    static func integer(_ value: UInt64) -> JSONValue { .number(JSONNumber(Int64(clamping: value))) }

    private static func count(_ value: JSONValue?, _ name: String) throws(SigningError) -> UInt64 {
        guard case .number(let number)? = value, let int = number.int64Value, int >= 0 else {
            throw .malformedBundle("`\(name)` must be a whole number ≥ 0")
        }
        return UInt64(int)
    }
}
