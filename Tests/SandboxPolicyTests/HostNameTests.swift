import TestSupport
import Testing

@testable import SandboxPolicy

@Suite struct HostNameTests {
    func host(_ url: String) throws -> String { try StrictURL(url).host.description }

    @Test(arguments: [
        ("https://API.Company.COM/", "api.company.com"), ("https://api.company.com./", "api.company.com"),
        ("http://bücher.example/", "xn--bcher-kva.example"), ("http://BÜCHER.example/", "xn--bcher-kva.example"),
        ("http://münchen.de/", "xn--mnchen-3ya.de"), ("http://例え.jp/", "xn--r8jz45g.jp"),
        ("http://xn--bcher-kva.example/", "xn--bcher-kva.example"), ("http://127.1/", "127.0.0.1"),
        ("http://0x7f.0.0.1/", "127.0.0.1"), ("http://2130706433/", "127.0.0.1"), ("http://1.2.3/", "1.2.0.3"),
        ("http://[::FFFF:127.0.0.1]/", "[::ffff:127.0.0.1]"), ("http://[2001:DB8:0:0:1:0:0:1]/", "[2001:db8::1:0:0:1]"),
        ("http://[2001:db8::0:1]/", "[2001:db8::1]"), ("http://[0:0:1:0:0:0:0:0]/", "[0:0:1::]"),
        ("http://[fe80::1%25eth0]/", "[fe80::1]"), ("http://under_score.example/", "under_score.example"),
    ])
    func normalises(_ url: String, _ expected: String) throws {
        #expect(try host(url) == expected)
    }

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

    /// Every spelling of an IPv4 address that `inet_aton` accepts normalises to the same address.
    @Test func everyIPv4SpellingNormalisesToTheSameAddress() throws {
        var random = SeededGenerator(seed: 0x5EED_0003)
        for _ in 0..<2000 {
            let address = UInt32.random(in: 0...UInt32.max, using: &random)
            let bytes = [address >> 24, address >> 16 & 0xFF, address >> 8 & 0xFF, address & 0xFF]
            let canonical = bytes.map(String.init).joined(separator: ".")
            let spellings = [
                canonical, String(address), "0x" + String(address, radix: 16),
                "0x" + String(address, radix: 16, uppercase: true),
                bytes.map { "0x" + String($0, radix: 16) }.joined(separator: "."),
                "\(bytes[0]).\(address & 0xFF_FFFF)", "\(bytes[0]).\(bytes[1]).\(address & 0xFFFF)",
                canonical + ".",
            ]
            for spelling in spellings {
                let url = try StrictURL("http://\(spelling)/")
                #expect(url.host == .ip(.v4(address)), "\(spelling)")
                #expect(url.hasAmbiguousIPv4 == false)
            }
            let octal = bytes.map { "0" + String($0, radix: 8) }.joined(separator: ".")
            let url = try StrictURL("http://\(octal)/")
            #expect(url.host == .ip(.v4(address)), "\(octal)")
            #expect(url.hasAmbiguousIPv4)
        }
    }

    /// Normalising is idempotent and ignores case and one trailing dot.
    @Test func hostNormalisationIsIdempotentAndCaseBlind() throws {
        var random = SeededGenerator(seed: 0x5EED_0004)
        let alphabet = Array("abcXYZ019-_éüЖ例".unicodeScalars)
        var checked = 0
        for _ in 0..<3000 {
            let labels = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                String(
                    String.UnicodeScalarView(
                        (0..<Int.random(in: 1...8, using: &random)).map { _ in random.pick(alphabet) }))
            }
            let name = labels.joined(separator: ".")
            guard let first = try? StrictURL("http://\(name)/").host else { continue }
            checked += 1
            #expect(try StrictURL("http://\(first)/").host == first, "\(name)")
            #expect(try StrictURL("http://\(name.uppercased())/").host == first, "\(name)")
            #expect(try StrictURL("http://\(name)./").host == first, "\(name)")
            if case .domain(let ascii) = first {
                #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII && !("A"..."Z").contains($0) })
            }
        }
        #expect(checked > 1000)
    }

    /// IPv6 addresses print canonically and read back to the same bits.
    @Test func ipv6TextRoundTrips() {
        var random = SeededGenerator(seed: 0x5EED_0005)
        for _ in 0..<3000 {
            // Sparse groups so that `::` compression is exercised.
            var groups = (0..<8).map { _ in
                Bool.random(using: &random) ? UInt16(0) : UInt16.random(in: 0...0xFFFF, using: &random)
            }
            if Bool.random(using: &random) { groups[0..<5] = [0, 0, 0, 0, 0] }
            let long = groups.map { String($0, radix: 16) }.joined(separator: ":")
            guard let address = IPAddress(ipv6: long) else {
                Issue.record("cannot parse \(long)")
                continue
            }
            let printed = address.description
            #expect(IPAddress(ipv6: printed) == address, "\(long) -> \(printed)")
            #expect(printed.count <= long.count)
        }
    }

    @Test(arguments: [
        "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1::", "1:", "::g", "1.2.3.4::", "::1.2.3", "::01.2.3.4",
        "::256.1.1.1", "", ":", ":::",
    ])
    func malformedIPv6IsRejected(_ text: String) {
        #expect(IPAddress(ipv6: text) == nil)
    }

    @Test func cidrBlocksContainWhatTheySay() {
        let block = CIDRBlock("10.0.0.0/8")!
        #expect(block.contains(IPAddress("10.255.0.1")!))
        #expect(!block.contains(IPAddress("11.0.0.0")!))
        #expect(block.contains(IPAddress("::ffff:10.1.1.1")!))
        #expect(CIDRBlock("10.0.0.1/8") == nil)
        #expect(CIDRBlock("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
        #expect(CIDRBlock("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!CIDRBlock("2001:db8::/33")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(CIDRBlock("::/0")!.contains(IPAddress("::1")!))
        #expect(CIDRBlock("1.2.3.4/33") == nil)
    }
}
