import Foundation
import JSON
import TestSupport
import Testing

@testable import SandboxSigning

@Suite struct KeyRingTests {
    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func key(seed: UInt64) -> SigningKey {
        var random = SeededGenerator(seed: seed)
        return SigningKey.generate(using: &random)
    }

    static let bundle = PolicyBundle(
        agentID: "sales_assistant", version: 3, yaml: "agent: \"sales_assistant\"\ntools:\n  allow: [\"crm.*\"]\n",
        timestamp: 1_790_000_000)

    /// RFC 8032 section 7.1, test 1: the signature is deterministic and the standard one.
    @Test func signsAsRFC8032Says() throws {
        let key = try SigningKey(
            rawBytes: Self.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect(
            key.verificationKey.rawBytes
                == Self.bytes(hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let expected =
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        #expect(key.sign([]) == Self.bytes(hex: expected))
    }

    @Test func theKeyIDIsTheFirstEightBytesOfTheDigestOfThePublicKey() throws {
        let key = try VerificationKey(
            rawBytes: Self.bytes(hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        // printf d75a...511a | xxd -r -p | sha256sum | cut -c1-16
        #expect(key.keyID == "21fe31dfa154a261")
        #expect(key.keyID.count == 16)
    }

    @Test func readsOpenSSLPEMAndBase64Keys() throws {
        let pem = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIN5ZUHksXEUCicyYS23WCXa7iqckTrnimU/4FppbmDnM
            -----END PRIVATE KEY-----
            """
        let publicPEM = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEAkPdi3O5wlAeBjlyFkxCBFAju/pkQKuFgIk04Ri08cAs=
            -----END PUBLIC KEY-----

            """
        let key = try SigningKey(text: pem)
        #expect(key.verificationKey == (try VerificationKey(text: publicPEM)))
        #expect(key.verificationKey == (try VerificationKey(text: " kPdi3O5wlAeBjlyFkxCBFAju/pkQKuFgIk04Ri08cAs=\n")))
        let seed = Data(Self.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect((try SigningKey(text: seed.base64EncodedString() + "\n")).keyID == "21fe31dfa154a261")
    }

    @Test(arguments: [
        "", "not base64!", "AAAA", String(repeating: "A", count: 5000), "-----BEGIN PUBLIC KEY-----\nAAAA\n",
    ])
    func refusesKeyTextThatIsNotAKey(text: String) {
        #expect(throws: SigningError.self) { try SigningKey(text: text) }
        #expect(throws: SigningError.self) { try VerificationKey(text: text) }
    }

    @Test func aPublicKeyIsNotReadAsAPrivateKey() {
        #expect(throws: SigningError.self) {
            try SigningKey(
                text: "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAkPdi3O5wlAeBjlyFkxCBFAju/pkQKuFgIk04Ri08cAs=\n")
        }
    }

    @Test func aSignedBundleVerifiesAndSurvivesItsJSONForm() throws {
        let ring = KeyRing(signingKey: Self.key(seed: 1))
        let signed = ring.sign(Self.bundle)
        try ring.verify(signed)
        let reread = try SignedBundle(json: try .init(parsing: signed.jsonValue.serialized(pretty: true)))
        #expect(reread == signed)
        try ring.verify(reread)
    }

    @Test func everyTamperedFieldIsRefused() throws {
        let ring = KeyRing(signingKey: Self.key(seed: 2))
        let signed = ring.sign(Self.bundle)
        var changes: [SignedBundle] = []
        for change in 0..<5 {
            var copy = signed
            switch change {
            case 0: copy.bundle.yaml += "# more\n"
            case 1: copy.bundle.version += 1
            case 2: copy.bundle.agentID = "other"
            case 3: copy.bundle.timestamp -= 1
            default: copy.signature[10] ^= 1
            }
            changes.append(copy)
        }
        for changed in changes {
            #expect(throws: SigningError.badSignature(keyID: ring.signingKey.keyID)) { try ring.verify(changed) }
        }
    }

    @Test func aSignedButInconsistentDigestIsRefused() throws {
        let ring = KeyRing(signingKey: Self.key(seed: 3))
        var bundle = Self.bundle
        bundle.sha256 = String(repeating: "0", count: 64)
        let signed = ring.sign(bundle)
        #expect(throws: SigningError.digestMismatch(stated: bundle.sha256, actual: Self.bundle.sha256)) {
            try ring.verify(signed)
        }
    }

    @Test func aBundleNamingAnotherKeyIsRefusedWithTheKnownKeys() throws {
        let ring = KeyRing(signingKey: Self.key(seed: 4))
        let stranger = KeyRing(signingKey: Self.key(seed: 5))
        var signed = stranger.sign(Self.bundle)
        #expect(throws: SigningError.unknownKey(keyID: stranger.signingKey.keyID, known: [ring.signingKey.keyID])) {
            try ring.verify(signed)
        }
        // Claiming the ring's key id with another key's signature fails the signature check.
        signed.keyID = ring.signingKey.keyID
        #expect(throws: SigningError.badSignature(keyID: ring.signingKey.keyID)) { try ring.verify(signed) }
    }

    @Test func aRotatedRingStillVerifiesBundlesOfTheRetiredKey() throws {
        let old = KeyRing(signingKey: Self.key(seed: 6))
        let before = old.sign(Self.bundle)
        let rotated = KeyRing(
            signingKey: Self.key(seed: 7),
            retiredKeys: [old.signingKey.verificationKey, old.signingKey.verificationKey])
        try rotated.verify(before)
        #expect(rotated.keys.map(\.keyID) == [rotated.signingKey.keyID, old.signingKey.keyID])
        let after = rotated.sign(Self.bundle)
        #expect(after.keyID == rotated.signingKey.keyID)
        #expect(throws: SigningError.self) { try old.verify(after) }
    }

    @Test func canonicalBytesAreSortedCompactJSON() {
        let bundle = PolicyBundle(agentID: "a", version: 2, yaml: "x: \"1\"\n", sha256: "ab", timestamp: 5)
        #expect(
            String(decoding: bundle.canonicalBytes, as: UTF8.self)
                == #"{"agent_id":"a","sha256":"ab","ts":5,"version":2,"yaml":"x: \"1\"\n"}"#)
    }

    @Test(arguments: [
        #"[]"#, #"{"bundle": {}, "signature": "", "key_id": "x"}"#,
        #"{"signature": "AA==", "key_id": "x"}"#,
        #"{"bundle": {"agent_id": "a", "version": -1, "yaml": "", "sha256": "", "ts": 0}, "key_id": "x", "signature": "SIG"}"#,
        #"{"bundle": {"agent_id": "a", "version": 1, "yaml": "", "sha256": "", "ts": 0, "extra": 1}, "key_id": "x", "signature": "SIG"}"#,
    ])
    func malformedDocumentsAreRefused(text: String) throws {
        let signature = Data(repeating: 1, count: 64).base64EncodedString()
        let json = try JSONValue(parsing: text.replacingOccurrences(of: "SIG", with: signature))
        #expect(throws: SigningError.self) { try SignedBundle(json: json) }
    }
}
