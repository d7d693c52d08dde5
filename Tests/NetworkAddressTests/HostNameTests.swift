import NetworkAddress
import TestSupport
import Testing

/// Host names as the URL parser normalises them: lower case, IDNA to Punycode, every IPv4 spelling.
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
}
