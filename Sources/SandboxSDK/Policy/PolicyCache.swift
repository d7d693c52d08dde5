import Foundation
import JSON
import SandboxPolicy
import SandboxSigning

/// Holds the agent's verified policy: accepts a bundle only when its signature verifies with a
/// configured key, it is this agent's, it compiles, and its version is at least the highest held
/// so far (the same one must be the same text). A lower one is ignored: a lagging node serves it
/// as well as a replay would, and either way the newer policy stays (counted in `stale`, not as
/// a refusal).
actor PolicyCache {
    let agentID: String
    let keys: [VerificationKey]
    private(set) var snapshot: PolicySnapshot?
    private(set) var refusals = 0
    /// Bundles older than the held one (a lagging node, or a replay): ignored, not refusals.
    private(set) var stale = 0
    private(set) var lastRefusal: PolicyCacheError?
    /// False from a refused bundle that was not merely older than the held one (an unknown key
    /// after a rotation, a text this client cannot compile, a forgery) until a bundle is accepted
    /// again: the held policy may be out of date, so nothing is denied locally meanwhile (the
    /// server decides). A lagging node's older bundle changes nothing.
    private(set) var trusted = true

    /// The held policy when it may decide local denials.
    var forLocalDenials: PolicySnapshot? { trusted ? snapshot : nil }

    /// Versions below it are refused as rollbacks even before one is held.
    let minimumVersion: UInt64

    init(agentID: String, keys: [VerificationKey], minimumVersion: UInt64 = 0) {
        self.agentID = agentID
        self.keys = keys
        self.minimumVersion = minimumVersion
    }

    /// Offers the body of a 200 to `GET /v1/policies/{agent}`; the snapshot now held (the newer
    /// one still, for an older bundle), or why the bundle was refused (counted in `refusals`).
    func offer(_ body: [UInt8], etag: String?) -> Result<PolicySnapshot, PolicyCacheError> {
        let result = check(body, etag: etag)
        if case .failure(.unverified(.olderVersion(let version, _))) = result, let held = snapshot,
            version < held.version
        {
            // What a node that has not caught up yet serves (or a replay): the newer policy stays,
            // and so does whether it may deny locally; not a refusal. The refresher asks again.
            stale += 1
            return .success(held)
        }
        switch result {
        case .success(let accepted):
            snapshot = accepted
            trusted = true
        case .failure(let refusal):
            refusals += 1
            lastRefusal = refusal
            trusted = false
        }
        return result
    }

    private func check(_ body: [UInt8], etag: String?) -> Result<PolicySnapshot, PolicyCacheError> {
        let signed: SignedBundle
        do {
            let json = try JSONValue(parsing: body, maxDepth: 16, maxBytes: body.count)
            signed = try SignedBundle(json: json)
            try signed.verify(with: keys)
        } catch let error as SigningError {
            return .failure(.unverified(error))
        } catch {
            return .failure(.unverified(.malformedBundle("not JSON: \(error)")))
        }
        let bundle = signed.bundle
        guard bundle.agentID == agentID else { return .failure(.otherAgent(bundle.agentID)) }
        guard bundle.version >= minimumVersion else {
            return .failure(.unverified(.olderVersion(version: bundle.version, minimum: minimumVersion)))
        }
        if let held = snapshot {
            guard bundle.version >= held.version else {
                return .failure(.unverified(.olderVersion(version: bundle.version, minimum: held.version)))
            }
            if bundle.version == held.version {
                guard bundle.sha256 == held.sha256 else {
                    return .failure(.changedWithoutNewVersion(version: held.version))
                }
                return .success(held.with(etag: etag, keyID: signed.keyID))
            }
        }
        let policy: CompiledPolicy
        do { policy = try CompiledPolicy(yaml: bundle.yaml) } catch { return .failure(.uncompilable("\(error)")) }
        return .success(
            PolicySnapshot(
                agentID: bundle.agentID, version: bundle.version, yaml: bundle.yaml, sha256: bundle.sha256,
                keyID: signed.keyID, publishedAt: Date(timeIntervalSince1970: TimeInterval(bundle.timestamp)),
                policy: policy, etag: etag))
    }
}

extension PolicySnapshot {
    /// The same version served again, perhaps signed with another key (after a rotation).
    func with(etag: String?, keyID: String) -> PolicySnapshot {
        PolicySnapshot(
            agentID: agentID, version: version, yaml: yaml, sha256: sha256, keyID: keyID, publishedAt: publishedAt,
            policy: policy, etag: etag ?? self.etag)
    }
}
