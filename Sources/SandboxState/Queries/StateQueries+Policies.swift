import SandboxPolicy

extension StateQueries {
    public func policyHead(_ agent: String) throws -> PolicyHead? {
        guard let bytes = try reader.value(for: StateKeys.policyHead(agent)) else { return nil }
        return try stored { () throws(DecodingError) in try PolicyHead(decoding: bytes) }
    }

    public func policyVersion(_ agent: String, _ version: UInt32) throws -> PolicyVersionRecord? {
        guard let bytes = try reader.value(for: StateKeys.policyVersion(agent, version)) else { return nil }
        return try stored { () throws(DecodingError) in
            try PolicyVersionRecord(agent: agent, version: version, decoding: bytes)
        }
    }

    /// The enforced version (what `GET /v1/policies/{agent}` serves), or nil.
    public func enforcedPolicy(_ agent: String) throws -> PolicyVersionRecord? {
        guard let head = try policyHead(agent), head.enforced != 0 else { return nil }
        return try policyVersion(agent, head.enforced)
    }

    /// Versions of an agent's policy, oldest first, after `after` (a cursor), at most `limit`.
    public func policyVersions(_ agent: String, after: UInt32? = nil, limit: Int = 100) throws -> [PolicyVersionRecord]
    {
        let prefix = StateKeys.policyVersions(agent)
        let start = after.map { StateKeys.policyVersion(agent, $0) }
        return try reader.scan(prefix: prefix, after: start, limit: limit).map { pair in
            let version = UInt32(truncatingIfNeeded: StateKeys.readBigEndian(pair.key.dropFirst(prefix.count)))
            return try stored { () throws(DecodingError) in
                try PolicyVersionRecord(agent: agent, version: version, decoding: pair.value)
            }
        }
    }

    /// The semantic diff between two versions (`sandboxctl policy diff`'s engine); nil if either
    /// version is missing.
    public func policyDiff(_ agent: String, from old: UInt32, to new: UInt32) throws -> PolicyDiff? {
        guard let before = try policyVersion(agent, old), let after = try policyVersion(agent, new) else { return nil }
        do {
            return PolicyDiff(from: try PolicyDocument(yaml: before.yaml), to: try PolicyDocument(yaml: after.yaml))
        } catch {
            throw StateStorageError("a stored policy of `\(agent)` no longer reads: \(error)")
        }
    }
}
