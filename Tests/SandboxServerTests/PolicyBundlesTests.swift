import SandboxSigning
import SandboxState
import TestSupport
import Testing

@testable import SandboxServer

/// The pieces of the policy routes that need no cluster: entity tags and
/// `If-None-Match`, the bundle of a stored version, upload validation.
@Suite struct PolicyBundlesTests {
    @Test func ifNoneMatchNamesTheTagInAListWeaklyOrByStar() {
        let tag = "\"3-21fe31dfa154a261\""
        #expect(PolicyBundles.matches(tag, tag))
        #expect(PolicyBundles.matches("\"1-x\", W/\(tag)", tag))
        #expect(PolicyBundles.matches("*", tag))
        #expect(!PolicyBundles.matches(nil, tag))
        #expect(!PolicyBundles.matches("\"2-21fe31dfa154a261\"", tag))
        #expect(!PolicyBundles.matches("3-21fe31dfa154a261", tag), "an unquoted tag is another tag")
    }

    @Test func aStoredVersionIsSignedAsItsBundleAndTaggedByVersionAndKey() throws {
        var random = SeededGenerator(seed: 5)
        let keys = KeyRing(signingKey: SigningKey.generate(using: &random))
        let yaml = "tools:\n  allow: [\"crm.read\"]\n"
        let record = PolicyVersionRecord(
            agent: "sales", version: 3, yaml: yaml, sha256: SHA256.hash(Array(yaml.utf8)), author: "admin",
            timeMillis: 1_790_000_000_999, mode: .enforce, enforcedBefore: 2, copiedFrom: 0)
        let signed = PolicyBundles.signed(record, keys)
        #expect(signed.bundle == PolicyBundle(agentID: "sales", version: 3, yaml: yaml, timestamp: 1_790_000_000))
        try keys.verify(signed)
        #expect(PolicyBundles.etag(record, keys) == "\"3-\(keys.signingKey.keyID)\"")
    }

    @Test func uploadsAreValidatedWithLineAndColumnAndRefuseSchemaFiles() throws {
        let ok = try PolicyRoutes.validate("tools:\n  allow: [\"crm.read\"]\n", agent: "sales")
        #expect(ok.document.tools.allow.count == 1)
        do {
            _ = try PolicyRoutes.validate("tools:\n  alow: [\"x\"]\n", agent: "sales")
            Issue.record("a typo was accepted")
        } catch {
            #expect(error.code == "invalid_policy" && error.status == .badRequest)
            #expect(error.message.hasPrefix("sales.yaml:2:3: "), "\(error.message)")
        }
        do {
            _ = try PolicyRoutes.validate(
                "tools:\n  allow: [\"a\"]\n  schemas:\n    a: schemas/a.json\n", agent: "sales")
            Issue.record("a schema file was accepted")
        } catch {
            #expect(error.message.contains("schemas/a.json") && error.message.contains("inline"), "\(error.message)")
        }
    }
}
