import Foundation
import SandboxSigning
import ServerTestSupport
import TestSupport
import Testing

/// `sandboxctl policy verify`, offline: the key forms it reads (the JSON of `GET /v1/keys` with
/// retired keys, base64, PEM), and its exit status for each refusal.
@Suite struct PolicyVerifyCLITests {
    let directory = TemporaryDirectory("policy-verify")

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.subpath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `sandboxctl policy verify ARGUMENTS`; its exit status.
    static func run(_ arguments: [String]) throws -> Int32 {
        let ctl = Process()
        ctl.executableURL = URL(fileURLWithPath: LocalCluster.executable("sandboxctl"))
        ctl.arguments = ["policy", "verify"] + arguments
        ctl.standardOutput = FileHandle.nullDevice
        ctl.standardError = FileHandle.nullDevice
        try ctl.run()
        ctl.waitUntilExit()
        return ctl.terminationStatus
    }

    func verify(_ arguments: [String]) throws -> Int32 { try Self.run(arguments) }

    /// `{"keys": [...]}` as `GET /v1/keys` serves it.
    func keysJSON(_ ring: KeyRing) -> String {
        let rows = ring.keys.map { key in
            #"{"key_id": "\#(key.keyID)", "algorithm": "Ed25519", "public_key": "\#(key.base64)", "active": \#(key == ring.signingKey.verificationKey)}"#
        }
        return #"{"keys": [\#(rows.joined(separator: ", "))]}"#
    }

    @Test func everyKeyFormAndEveryRefusal() throws {
        var random = SeededGenerator(seed: 9)
        let old = SigningKey.generate(using: &random)
        let ring = KeyRing(signingKey: SigningKey.generate(using: &random), retiredKeys: [old.verificationKey])
        let bundle = PolicyBundle(agentID: "sales", version: 4, yaml: "tools:\n  allow: [\"a\"]\n", timestamp: 1)
        let before = try write("before.json", KeyRing(signingKey: old).sign(bundle).jsonValue.serialized())
        let after = try write("after.json", ring.sign(bundle).jsonValue.serialized())
        let keys = try write("keys.json", keysJSON(ring))
        let base64 = try write("old.b64", old.verificationKey.base64 + "\n")
        let pem = try write(
            "old.pem",
            "-----BEGIN PUBLIC KEY-----\n"
                + Data(
                    [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
                        + old.verificationKey.rawBytes
                )
                .base64EncodedString() + "\n-----END PUBLIC KEY-----\n")

        #expect(try verify([after, "--public-key", keys]) == 0)
        #expect(try verify([before, "--public-key", keys]) == 0, "a bundle of the retired key, after the rotation")
        #expect(try verify([before, "--public-key", base64]) == 0)
        #expect(try verify([before, "--public-key", pem]) == 0)
        #expect(try verify([after, "--public-key", base64]) == 1, "signed by a key not given")
        #expect(try verify([after, "--public-key", keys, "--agent", "other"]) == 1)
        #expect(try verify([after, "--public-key", keys, "--min-version", "5"]) == 1)
        #expect(try verify([after, "--public-key", keys, "--min-version", "4"]) == 0)
        let lying = keysJSON(ring).replacingOccurrences(of: ring.signingKey.keyID, with: "0000000000000000")
        #expect(try verify([after, "--public-key", try write("lying.json", lying)]) == 2, "a key id not its key's")
        #expect(try verify([after]) == 2, "no key given")
        #expect(try verify([directory.subpath("missing.json"), "--public-key", keys]) == 2)
        #expect(try verify([after, "--public-key", try write("junk.key", "not a key")]) == 2)
    }
}
