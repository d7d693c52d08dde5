import Raft
import TestSupport
import Testing

@testable import SandboxWire

/// The decoder's property under hostile input: any byte string either decodes to a frame that
/// re-encodes to the same bytes, or is refused with a `WireError` — never a crash, a hang or an
/// allocation beyond the input's size.
@Suite struct FrameFuzzTests {
    @Test(arguments: [11, 12, 13, 14] as [UInt64])
    func mutatedFramesDecodeCanonicallyOrFailTyped(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var decoded = 0
        var refused = 0
        for _ in 0..<5000 {
            var body = try random.frame().encoded()
            mutate(&body, with: &random)
            switch classify(body) {
            case .decoded: decoded += 1
            case .refused: refused += 1
            }
        }
        // Both outcomes happen: the mutations hit fields that matter and fields that do not.
        #expect(decoded > 100)
        #expect(refused > 1000)
    }

    @Test(arguments: [21, 22] as [UInt64])
    func randomBytesAfterAValidHeaderFailTyped(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var refused = 0
        for _ in 0..<20000 {
            let kind = UInt8(random.below(10))
            let body = [WireFormat.version, kind] + random.bytes(random.below(120))
            if case .refused = classify(body) { refused += 1 }
        }
        #expect(refused > 15000)
    }

    private enum Outcome { case decoded, refused }

    private func classify(_ body: [UInt8]) -> Outcome {
        do {
            let frame = try Frame(decoding: body)
            // What decodes is canonical: it encodes back to exactly the input.
            #expect((try? frame.encoded()) == body)
            return .decoded
        } catch {
            #expect(!error.description.isEmpty)
            return .refused
        }
    }

    private func mutate(_ body: inout [UInt8], with random: inout SeededGenerator) {
        for _ in 0..<(random.below(3) + 1) {
            switch random.below(5) {
            case 0 where !body.isEmpty: body[random.below(body.count)] = UInt8(random.below(256))
            case 1 where !body.isEmpty: body[random.below(body.count)] ^= 1 << UInt8(random.below(8))
            case 2 where !body.isEmpty: body.removeSubrange(random.below(body.count)...)
            case 3: body.insert(contentsOf: random.bytes(random.below(8) + 1), at: random.below(body.count + 1))
            default:
                // a length or count field set to something large
                if body.count >= 4 {
                    let at = random.below(body.count - 3)
                    body.replaceSubrange(at..<at + 4, with: random.pick([[0xFF, 0xFF, 0xFF, 0xFF], [0, 0x10, 0, 0]]))
                }
            }
        }
    }
}
