import NetworkAddress
import TestSupport
import Testing

@Suite struct PunycodeTests {
    @Test func punycodeMatchesRFC3492Samples() {
        // RFC 3492 section 7.1 (lower-cased), and a few IDNA classics.
        let samples: [(String, String)] = [
            ("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("例え", "r8jz45g"),
            ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
            ("почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbadotcwatmq2g4l"),
            ("3年b組金八先生", "3b-ww4c5e180e575a65lsy2b"), ("-> $1.00 <-", "-> $1.00 <--"),
        ]
        for (unicode, encoded) in samples {
            #expect(Punycode.encode(Array(unicode.unicodeScalars)) == encoded, "\(unicode)")
            #expect(Punycode.decode(encoded).map { String(String.UnicodeScalarView($0)) } == unicode, "\(encoded)")
        }
        #expect(Punycode.decode("zz") == nil)
        #expect(Punycode.decode("a-99999999999999") == nil)
    }

    @Test func punycodeRoundTripsRandomLabels() {
        var random = SeededGenerator(seed: 0x5EED_0002)
        let ranges: [ClosedRange<UInt32>] = [
            0x61...0x7A, 0xE0...0xFF, 0x430...0x44F, 0x4E00...0x4FFF, 0x1F600...0x1F64F,
        ]
        for _ in 0..<2000 {
            let scalars = (0..<Int.random(in: 1...20, using: &random)).map { _ in
                Unicode.Scalar(UInt32.random(in: random.pick(ranges), using: &random))!
            }
            guard let encoded = Punycode.encode(scalars) else {
                Issue.record("cannot encode \(scalars)")
                continue
            }
            #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
            #expect(Punycode.decode(encoded) == scalars)
        }
    }
}
