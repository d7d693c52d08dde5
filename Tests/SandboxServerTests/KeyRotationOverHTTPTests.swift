import Foundation
import JSON
import SandboxSigning
import ServerTestSupport
import TestSupport
import Testing

/// Rotating the cluster's signing key on a real 3-node cluster: every node restarts with the new
/// key and the old public key retired; each serves both keys (the new one active), a bundle saved
/// before the rotation still verifies (in process and with `sandboxctl policy verify`), every node
/// now signs with the new key, alike, and agent keys keep working.
@Suite(.serialized, .timeLimit(.minutes(4))) struct KeyRotationOverHTTPTests {
    let admin: [String: String]
    let cluster = LocalCluster()

    init() { admin = ["Authorization": "Bearer \(cluster.adminToken)"] }

    func bundle(on node: Int) async throws -> (SignedBundle, Data) {
        let answer = try #require(await cluster.raw(node, "GET", "/v1/policies/sales", headers: admin))
        #expect(answer.status == 200, "node \(node): \(String(decoding: answer.data, as: UTF8.self))")
        return (try SignedBundle(json: try JSONValue(parsing: Array(answer.data))), answer.data)
    }

    @Test func bundlesSignedBeforeARotationVerifyAfterEveryNodeRestartsWithTheNewKey() async throws {
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 100)
        let old = try SigningKey(text: LocalCluster.signingKey)
        let (before, beforeData) = try await bundle(on: 1)
        #expect(before.keyID == old.keyID)

        var random = SeededGenerator(seed: 12)
        let new = SigningKey.generate(using: &random)
        cluster.stopAll()
        cluster.extraArguments = [
            "--signing-key", Data(new.rawBytes).base64EncodedString(), "--retired-keys", old.verificationKey.base64,
        ]
        try cluster.startAll()
        try await cluster.waitUntilReady([1, 2, 3])

        var signatures: Set<String> = []
        for node in 1...3 {
            let keys = try #require(await cluster.raw(node, "GET", "/v1/keys"))
            let rows = try #require(keys.json["keys"] as? [[String: Any]])
            let active = rows.filter { $0["active"] as? Bool == true }.compactMap { $0["key_id"] as? String }
            let retired = rows.filter { $0["active"] as? Bool == false }.compactMap { $0["key_id"] as? String }
            #expect(active == [new.keyID] && retired == [old.keyID], "node \(node): \(rows)")
            let served = try rows.map { try VerificationKey(text: try #require($0["public_key"] as? String)) }
            try before.verify(with: served)
            let (after, _) = try await bundle(on: node)
            #expect(after.keyID == new.keyID && after.bundle == before.bundle, "the same version, signed anew")
            try after.verify(with: served)
            #expect(throws: SigningError.self) { try after.verify(with: [old.verificationKey]) }
            signatures.insert(after.signatureBase64)

            let bundleFile = cluster.directory.subpath("before-\(node).json")
            let keysFile = cluster.directory.subpath("keys-\(node).json")
            try beforeData.write(to: URL(fileURLWithPath: bundleFile))
            try keys.data.write(to: URL(fileURLWithPath: keysFile))
            #expect(try PolicyVerifyCLITests.run([bundleFile, "--public-key", keysFile, "--agent", "sales"]) == 0)
        }
        #expect(signatures.count == 1, "every node signs alike with the new key")
        #expect(await cluster.decideRetrying("after-rotation", on: [2]) != nil, "the agent's key still works")
    }
}
