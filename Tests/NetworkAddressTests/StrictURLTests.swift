import Foundation
import NetworkAddress
import TestSupport
import Testing

/// The strict URL parser: what it accepts prints in a normal form that parses back to itself, and
/// what parsers disagree on is refused.
@Suite struct StrictURLTests {
    static let scale = ProcessInfo.processInfo.environment["LONG"] == "1" ? 20 : 1

    @Test(arguments: [
        ("HTTPS://API.Company.COM/x?y#z", "https://api.company.com/x?y#z"),
        ("http://bücher.example:8080", "http://xn--bcher-kva.example:8080"),
        ("http://0x7f.1/", "http://127.0.0.1/"), ("http://[0:0::1]:443/a", "http://[::1]:443/a"),
        ("https://x.com.:443", "https://x.com:443"), ("http://[fe80::1%25eth0]/", "http://[fe80::1]/"),
    ])
    func printsTheNormalForm(_ written: String, _ normal: String) throws {
        #expect(try StrictURL(written).description == normal)
    }

    @Test(arguments: [
        "", "http:/x.com", "http://user@x.com/", "http://x.com\\@y.com/", "http://x .com/", "http://x.com:0/",
        "http://x.com:65536/", "http://x.com:+80/", "http://%78.com/", "1http://x.com/", "http://[::1/",
        "http://x.com/ä",
    ])
    func refusesWhatParsersDisagreeOn(_ text: String) {
        #expect(throws: URLRejection.self, "\(text)") { try StrictURL(text) }
    }

    static let alphabet = Array("aZ09.-_:/@[]%?#\\ xn--é例0x7fF::1ffff.".unicodeScalars)

    /// Property, on random near-URLs: parsing never traps, and whatever parses prints in a normal
    /// form that parses to the same scheme, host, port and rest, and prints the same again.
    @Test func normalisationIsIdempotentOnRandomInput() {
        var random = SeededGenerator(seed: 0xF022_0002)
        var parsed = 0
        for _ in 0..<(20_000 * StrictURLTests.scale) {
            let length = random.below(40)
            let body = String(String.UnicodeScalarView((0..<length).map { _ in random.pick(StrictURLTests.alphabet) }))
            let text = random.pick(["http://", "https://", "HTTP://", "ws://", ""]) + body
            guard let url = try? StrictURL(text) else { continue }
            parsed += 1
            let printed = url.description
            guard let again = try? StrictURL(printed) else {
                Issue.record("\(text) prints as \(printed), which does not parse")
                continue
            }
            #expect(again.scheme == url.scheme && again.host == url.host, "\(text)")
            #expect(again.port == url.port && again.rest == url.rest, "\(text)")
            #expect(again.description == printed, "\(text)")
            #expect(!again.hasAmbiguousIPv4)
        }
        #expect(parsed > 1_000, "the generator must reach the parser's accepting paths")
    }
}
