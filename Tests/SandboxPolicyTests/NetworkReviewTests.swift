import NetworkAddress
import Testing

@testable import SandboxPolicy

/// Review findings on the network judge: IPv6 CIDR blocks against IPv4 addresses, and more SSRF
/// spellings through ``CompiledPolicy/evaluate(_:)-HTTPRequest``.
@Suite struct NetworkReviewTests {
    /// An IPv6 block meets IPv4 hosts (plain and IPv4-mapped) in every policy that lists one:
    /// judging must not trap, and a block over `::ffff:0:0/96` covers the IPv4 addresses it maps.
    @Test func ipv6BlocksJudgeIPv4AddressesWithoutTrapping() throws {
        let policy = try Fixtures.policy(
            """
            network:
              deny_all_others: false
              deny_cidrs: ["fd00::/8", "::ffff:93.184.216.0/120"]
              allow_cidrs: ["::ffff:10.0.0.0/104"]
            """)
        #expect(policy.evaluate(Fixtures.get("http://8.8.8.8/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://[::ffff:8.8.8.8]/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://93.184.216.34/")).outcome == .deny)
        #expect(policy.evaluate(Fixtures.get("http://[::ffff:93.184.216.34]/")).outcome == .deny)
        #expect(policy.evaluate(Fixtures.get("http://10.1.2.3/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://[::ffff:a01:203]/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://11.1.2.3/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://127.0.0.1/")).outcome == .deny)
        #expect(policy.evaluateConnection(to: IPAddress("8.8.8.8")!).outcome == .allow)
        #expect(policy.evaluateConnection(to: IPAddress("93.184.216.1")!).outcome == .deny)
    }

    /// A broad allow entry (`io`, `*.me`, `internal`) is not an explicit listing of the internal
    /// names under it; an entry inside the internal zone is.
    @Test func internalNamesNeedAnEntryInsideTheirZone() throws {
        let broad = try Fixtures.policy(
            """
            network:
              allow_domains: ["io", "*.me", "ms", "internal", "google.internal"]
            """)
        for url in [
            "http://127.0.0.1.nip.io/", "http://x.sslip.io/", "http://localtest.me/", "http://a.lvh.me/",
            "http://7f000001.1u.ms/", "http://metadata.google.internal/",
        ] {
            let decision = broad.evaluate(Fixtures.get(url))
            #expect(decision.outcome == .deny, "\(url) -> \(decision.explanation)")
        }
        #expect(broad.evaluate(Fixtures.get("http://github.io/")).outcome == .allow)
        #expect(broad.evaluate(Fixtures.get("http://db.internal/")).outcome == .allow)
        #expect(broad.evaluate(Fixtures.get("http://x.google.internal/")).outcome == .allow)
        let explicit = try Fixtures.policy(
            """
            network:
              allow_domains: ["nip.io", "localtest.me", "intranet"]
            """)
        for url in ["http://127.0.0.1.nip.io/", "http://localtest.me/", "http://intranet/"] {
            let decision = explicit.evaluate(Fixtures.get(url))
            #expect(decision.outcome == .allow, "\(url) -> \(decision.explanation)")
        }
    }

    @Test func topLevelAllowEntriesAreWarnedAbout() throws {
        let policy = try Fixtures.policy("network:\n  allow_domains: [\"*.com\", io, api.company.com]\n")
        let warned = policy.warnings.filter { $0.message.contains("every host under the top-level name") }
        #expect(warned.count == 2, "\(policy.warnings)")
        #expect(warned.allSatisfy { $0.severity == .warning })
    }

    /// Spellings from the SSRF bypass lists not in ``SSRFTests``; deny_all_others is off, so only
    /// the parser and the special-address checks deny these.
    static let internalSpellings: [(String, String)] = [
        ("http://0X7F000001/", "upper-case hex integer"), ("http://0X7f.0.0.1/", "upper-case hex part"),
        ("http://127.0.0.1.:80/", "trailing dot and port"), ("http://[::ffff:127.0.0.1]:80/", "mapped with port"),
        ("http://[::FFFF:7F00:1]/", "mapped, upper-case hex"), ("http://[::ffff:127.0.0.1%25x]/", "mapped with zone"),
        ("http://[::1%2525]/", "zone that is itself %25"), ("http://[::1%25]/", "empty zone"),
        ("http://[::1%eth0]/", "zone without %25"), ("http://[fe80::1%25%65]/", "encoded zone"),
        ("http://[::1]./", "dot after bracket"), ("http://[::1]]/", "double close"), ("http://[[::1]]/", "nested"),
        ("http://[]/", "empty brackets"), ("http://[:::1]/", "triple colon"), ("http://[1::2::3]/", "two ::"),
        ("http://[0::]/", "unspecified 0::"), ("http://[::0]/", "unspecified ::0"),
        ("http://[0:0:0:0:0:0:0:0]/", "unspecified long"), ("http://[::ffff:0.0.0.0]/", "mapped unspecified"),
        ("http://[64:ff9b::127.0.0.1]/", "NAT64 loopback"), ("http://[2002:7f00:1::]/", "6to4 loopback"),
        ("http://[FD00:EC2:0:0:0:0:0:254]/", "AWS IPv6 metadata long"),
        ("http://[fd00:ec2::254%25eth0]/", "AWS IPv6 metadata with zone"), ("http://0.0/", "zero short"),
        ("http://0000000000000000000000000000177.1/", "long octal"),
        ("http://0x00000000000000000007f.1/", "long hex"), ("http://4294967295/", "broadcast integer"),
        ("http://4294967296/", "integer overflow"), ("http://0x100000000/", "hex overflow"),
        ("http://256.0.0.1/", "part over 255"), ("http://1.2.3.4.5/", "five parts"),
        ("http://127.0.0.1:80:/", "trailing colon"), ("http://127。0。0。1/", "ideographic dots"),
        ("http://127.0.0.1\u{FF0E}/", "full-width dot"), ("http://local\u{2024}host/", "one-dot leader"),
        ("http://localhost\u{FE52}/", "small full stop"), ("http://localhost%2e/", "encoded dot"),
        ("http://%6c%6f%63%61%6c%68%6f%73%74/", "encoded localhost"), ("http://METADATA.GOOGLE.INTERNAL/", "upper"),
        ("http://metadata.google.internal./", "metadata trailing dot"), ("http://instance-data/", "EC2 alias"),
        ("http://instance-data.ec2.internal/", "EC2 internal"), ("http://ip6-localhost/", "ip6-localhost"),
        ("http://localhost.localdomain/", "localdomain"), ("http://169.254.169.254.nip.io/", "metadata via nip.io"),
        ("http://a9fea9fe.nip.io/", "hex nip.io"), ("http://foo.NIP.IO./", "nip.io upper, trailing dot"),
        ("http://1u.ms/", "rebinding apex"),
        ("http://xn--zz.bücher.com/", "bad Punycode next to a Unicode label"),
        ("http://XN--ZZ.bücher.com/", "upper-case bad Punycode next to a Unicode label"),
        ("http://1.1.1.1&@2.2.2.2#@3.3.3.3/", "orange-tsai userinfo"),
        ("http://127.0.0.1%2f@api.company.com/", "encoded slash in userinfo"),
        ("http://[::1]@evil/", "bracket userinfo"),
    ]

    @Test(arguments: internalSpellings)
    func internalSpellingsAreDenied(_ url: String, _ what: String) throws {
        let decision = try Fixtures.policy(SSRFTests.permissive).evaluate(Fixtures.get(url))
        #expect(decision.outcome == .deny, "\(what): \(url) -> \(decision.explanation)")
    }

    /// Against the sales policy (`api.company.com` allowed, deny_all_others on).
    static let lookalikes: [(String, String)] = [
        ("http://.api.company.com/", "leading dot"), ("http://api..company.com/", "empty label"),
        ("http://-api.company.com/", "leading hyphen"), ("http://api_.company.com/", "underscore"),
        ("http://xn--api.company.com/", "xn-- prefix"), ("http://api.company.com\u{00AD}/", "soft hyphen"),
        ("http://api.company.com\u{200D}/", "zero-width joiner"), ("http://api\u{FF0E}company.com/", "full-width dot"),
        ("http://api.company.com\u{3002}/", "trailing ideographic dot"), ("http://api.cοmpany.com/", "Greek omicron"),
        ("http://ᴀpi.company.com/", "small capital A"), ("http://api.compan\u{0443}.com/", "Cyrillic u"),
        ("http://api.company.com%09/", "encoded tab"), ("http://api.company.com:+80/", "signed port"),
        ("https://api.company.com:443\u{0}/", "NUL after port"), ("ws://api.company.com/", "unlisted scheme"),
        ("http://" + String(repeating: "a", count: 64) + ".api.company.com/", "label over 63"),
        ("http://" + String(repeating: "a.", count: 120) + "api.company.com/", "host over 253"),
        ("http://api.company.com.evil.net/", "suffix"), ("http://evilapi.company.com/", "no boundary"),
    ]

    @Test(arguments: lookalikes)
    func lookalikesOfAnAllowedDomainAreDenied(_ url: String, _ what: String) throws {
        let decision = try Fixtures.salesAgent().evaluate(Fixtures.get(url))
        #expect(decision.outcome == .deny, "\(what): \(url) -> \(decision.explanation)")
    }

    /// Positive controls for the tables above.
    @Test(arguments: [
        "HtTp://api.company.com/", "http://api.company.com?x", "http://api.company.com#x",
        "http://api.company.com/..%2f..%2f", "http://api.company.com:0443/", "https://a.b.sub.api.company.com./",
    ])
    func spellingsOfAnAllowedDomainStayAllowed(_ url: String) throws {
        let decision = try Fixtures.salesAgent().evaluate(Fixtures.get(url))
        #expect(decision.outcome == .allow, "\(url) -> \(decision.explanation)")
    }

    /// The warning, if any, a single `allow_cidrs` entry draws.
    static func cidrWarning(_ entry: String, deny: String = "") throws -> PolicyDiagnostic? {
        let deniedLine = deny.isEmpty ? "" : "\n  deny_cidrs: [\"\(deny)\"]"
        let policy = try Fixtures.policy("network:\n  allow_cidrs: [\"\(entry)\"]\(deniedLine)\n")
        let warned = policy.warnings.filter { $0.message.contains("`allow_cidrs` entry `\(entry)`") }
        #expect(warned.count <= 1, "\(policy.warnings)")
        return warned.first
    }

    @Test(arguments: [
        ("0.0.0.0/0", ["loopback (127.0.0.0/8)", "a /0 block (wider than /8)"]),
        ("::/0", ["loopback (::1/128)", "a /0 block (wider than /16)"]),
        ("127.0.0.0/8", ["loopback (127.0.0.0/8)"]),
        ("::ffff:0:0/96", ["loopback (127.0.0.0/8)", "a /0 block (wider than /8)"]),
        ("8.0.0.0/7", ["every address in a /7 block (wider than /8)"]),
        ("2000::/3", ["every address in a /3 block (wider than /16)"]),
    ])
    func broadCIDREntriesAreWarnedAbout(_ entry: String, _ mentions: [String]) throws {
        let warning = try NetworkReviewTests.cidrWarning(entry)
        #expect(warning?.severity == .warning)
        #expect(warning?.location == SourceLocation(line: 2, column: 17))
        for text in mentions {
            #expect(warning?.message.contains(text) == true, "\(entry): \(warning?.message ?? "no warning")")
        }
        #expect(warning?.message.hasSuffix("list the exact addresses you mean") == true)
    }

    /// Metadata addresses are not opened by any block, so a block holding them draws no warning
    /// for that (only `allow_metadata` opens them).
    @Test(arguments: [
        "10.20.0.0/16", "10.0.0.0/8", "fd00:1::/32", "::ffff:10.0.0.0/104", "127.0.0.1", "::1/128", "169.254.0.0/16",
        "100.64.0.0/10",
    ])
    func narrowCIDREntriesAreNotWarnedAbout(_ entry: String) throws {
        #expect(try NetworkReviewTests.cidrWarning(entry) == nil)
    }

    @Test(arguments: ["169.254.169.254/32", "169.254.169.254", "fd00:ec2::254/128"])
    func aMetadataHostListedAsABlockIsReportedAsHavingNoEffect(_ entry: String) throws {
        let warning = try NetworkReviewTests.cidrWarning(entry)
        #expect(
            warning?.message.hasSuffix(
                "has no effect: a cloud metadata address is allowed only by network.allow_metadata: true") == true,
            "\(String(describing: warning))")
    }

    @Test func deniedAddressesAreLeftOutOfTheWarning() throws {
        let open = try NetworkReviewTests.cidrWarning("0.0.0.0/0", deny: "127.0.0.0/8")
        #expect(open?.message.contains("loopback") == false)
        #expect(open?.message.contains("wider than /8") == true)
    }
}
