import Foundation
import JSON
import TestSupport
import Testing

@testable import SandboxSigning

/// Hostile input: mutated bundle documents and key texts never crash, and a mutated document
/// that still verifies says exactly what the signed one said.
@Suite struct BundleFuzzTests {
    static let mutations: [UInt8] = Array(" \n\t{}[]\":,0123456789abcdefAZ=+/\\u".utf8)

    @Test(arguments: [11, 12, 13] as [UInt64])
    func aMutatedBundleEitherFailsOrSaysWhatWasSigned(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let ring = KeyRing(signingKey: SigningKey.generate(using: &random))
        let original = ring.sign(
            PolicyBundle(
                agentID: "sales", version: 7, yaml: "tools:\n  allow: [\"crm.*\"]  # é\n", timestamp: 1_790_000_000))
        let text = Array(original.jsonValue.serialized(pretty: true).utf8)
        var parsed = 0
        var verified = 0
        for _ in 0..<1500 {
            var bytes = text
            for _ in 0...random.below(3) {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes[at] = random.pick(Self.mutations)
                case 1: bytes.insert(random.pick(Self.mutations), at: at)
                default: bytes.remove(at: at)
                }
            }
            guard let json = try? JSONValue(parsing: bytes), let signed = try? SignedBundle(json: json) else {
                continue
            }
            parsed += 1
            guard (try? ring.verify(signed)) != nil else { continue }
            verified += 1
            #expect(signed.bundle == original.bundle && signed.bundle.canonicalBytes == original.bundle.canonicalBytes)
        }
        // The run reached the verifier with documents that still parse, and some (white space
        // changes) that still verify.
        #expect(parsed > 150, "\(parsed)")
        #expect(verified > 15, "\(verified)")
    }

    @Test(arguments: [21, 22] as [UInt64])
    func randomKeyTextNeverCrashesAndReadsOnlyWholeKeys(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let valid = Data(random.bytes(32)).base64EncodedString()
        var accepted = 0
        for round in 0..<1000 {
            var text = Array(valid.utf8)
            if round % 2 == 0 {
                text = random.bytes(random.below(80))
            } else {
                text[random.below(text.count)] = random.pick(Self.mutations)
            }
            let string = String(decoding: text, as: UTF8.self)
            if let key = try? SigningKey(text: string) {
                accepted += 1
                #expect(key.rawBytes.count == 32)
            }
            _ = try? VerificationKey(text: string)
        }
        #expect(accepted > 50, "base64 mutations that still decode to 32 bytes are read: \(accepted)")
    }
}
