import NetworkAddress
import TestSupport
import Testing

@testable import SandboxPolicy

/// Known ways to smuggle an internal or unlisted destination past a hostname allowlist (the
/// classes in the published SSRF bypass lists and in Smokescreen's design), each denied.
@Suite struct SSRFTests {
    /// deny_all_others is *off* here, so only the special-address and parser checks stand between
    /// these URLs and an allow.
    static let permissive = """
        network:
          deny_all_others: false
          allow_domains: ["api.company.com"]
          deny_domains: ["blocked.example"]
        """

    static let internalTargets: [(String, String)] = [
        // Loopback, every spelling.
        ("http://127.0.0.1/", "loopback"), ("http://127.1/", "loopback short form"),
        ("http://127.0.1/", "loopback 3-part"), ("http://0x7f.0.0.1/", "hex part"),
        ("http://0x7f000001/", "hex integer"), ("http://2130706433/", "decimal integer"),
        ("http://0x7f.1/", "hex short"), ("http://0177.0.0.1/", "octal part (ambiguous)"),
        ("http://017700000001/", "octal integer"), ("http://127.000.000.001/", "zero-padded"),
        ("http://127.0.0.1./", "trailing dot"), ("http://0/", "zero"), ("http://0.0.0.0/", "unspecified"),
        ("http://[::1]/", "IPv6 loopback"), ("http://[0:0:0:0:0:0:0:1]/", "IPv6 loopback long"),
        ("http://[::]/", "IPv6 unspecified"), ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("http://[::ffff:7f00:1]/", "IPv4-mapped hex"), ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "mapped long"),
        ("http://[::127.0.0.1]/", "IPv4-compatible"), ("http://[::1%25lo]/", "zone id"),
        ("http://localhost/", "localhost"), ("http://LOCALHOST/", "upper-case"), ("http://localhost./", "dot"),
        ("http://app.localhost/", "subdomain of localhost"), ("http://127.0.0.1.nip.io/", "wildcard DNS"),
        ("http://localtest.me/", "loopback DNS"), ("http://7f000001.1u.ms/", "rebinding DNS"),
        // Cloud metadata.
        ("http://169.254.169.254/latest/meta-data/", "AWS metadata"), ("http://[::ffff:a9fe:a9fe]/", "mapped metadata"),
        ("http://[::ffff:169.254.169.254]/", "mapped dotted metadata"),
        ("http://[fd00:ec2::254]/", "AWS IPv6 metadata"),
        ("http://0xa9fea9fe/", "hex metadata"), ("http://2852039166/", "decimal metadata"),
        ("http://169.254.43518/", "short metadata"), ("http://0251.0376.0251.0376/", "octal metadata"),
        ("http://metadata.google.internal/computeMetadata/v1/", "GCP metadata"), ("http://metadata/", "single label"),
        ("http://100.100.100.200/", "Alibaba metadata"), ("http://192.0.0.192/", "Oracle metadata"),
        ("http://169.254.170.2/v2/credentials", "ECS metadata"), ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 metadata"),
        ("http://[2002:a9fe:a9fe::1]/", "6to4 metadata"), ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"),
        // Private, link-local, CGNAT and other special blocks.
        ("http://10.0.0.1/", "private 10/8"), ("http://172.16.5.4/", "private 172.16/12"),
        ("http://192.168.1.1/", "private 192.168/16"), ("http://100.64.0.1/", "CGNAT"),
        ("http://169.254.1.1/", "link-local"), ("http://[fe80::1%25eth0]/", "IPv6 link-local with zone"),
        ("http://[fc00::1]/", "ULA"), ("http://[fd12:3456::1]/", "ULA fd"), ("http://224.0.0.1/", "multicast"),
        ("http://255.255.255.255/", "broadcast"), ("http://[ff02::1]/", "IPv6 multicast"),
        ("http://192.0.2.1/", "documentation"), ("http://198.18.0.1/", "benchmarking"),
        ("http://240.0.0.1/", "reserved"), ("http://printer.local/", "mDNS"),
        ("http://db.internal/", "internal TLD"), ("http://router.home.arpa/", "home network"),
        ("http://blocked.example/", "denied domain"), ("http://www.blocked.example/", "subdomain of denied domain"),
        // More spellings from the published bypass lists.
        ("http://①②⑦.⓪.⓪.①/", "enclosed alphanumerics"), ("http://⑯⑨。②⑤④。⑯⑨｡②⑤④/", "enclosed metadata"),
        ("http://[0:0:0:0:0:ffff:7f00:0001]/", "mapped, zero-padded groups"), ("http://00000000/", "zero-padded zero"),
        ("http://127.0.0.0x1/", "mixed hex part"), ("http://0x7f.0x0.0x0.0x1/", "hex every part"),
        ("http://0177.1/", "octal short"), ("http://LoCaLhOsT/", "mixed case"),
        ("http://localhost:80#@api.company.com/", "fragment after localhost"),
        ("http://[::ffff:0:7f00:1]/", "SIIT IPv4-translated"), ("http://[::7f00:1]/", "IPv4-compatible hex"),
        ("http://[5f00::1]/", "outside global unicast"), ("http://127.127.127.127/", "anywhere in 127/8"),
        ("http://0.0.0.0:80/", "unspecified with port"), ("http://[::]:80/", "IPv6 unspecified with port"),
        ("http://customer1.app.localhost.my.company.127.0.0.1.nip.io/", "long wildcard DNS"),
    ]

    @Test(arguments: internalTargets)
    func internalTargetsAreDeniedEvenWithoutDenyAllOthers(_ url: String, _ what: String) throws {
        let policy = try Fixtures.policy(SSRFTests.permissive)
        let decision = policy.evaluate(Fixtures.get(url))
        #expect(decision.outcome == .deny, "\(what): \(url) -> \(decision.explanation)")
    }

    /// Tricks that make a URL look like it goes to the allowed `api.company.com`.
    static let allowlistBypasses: [(String, String)] = [
        ("http://api.company.com@evil.com/", "user-info"),
        ("http://api.company.com:443@evil.com/", "user-info with port"),
        ("http://user:pass@api.company.com/", "credentials"), ("http://evil.com#@api.company.com/", "fragment"),
        ("http://evil.com?@api.company.com/", "query"), ("http://evil.com\\@api.company.com/", "backslash"),
        ("http://evil.com\\.api.company.com/", "backslash host"), ("http://api.company.com.evil.net/", "suffix"),
        ("http://evilapi.company.com/", "no label boundary"), ("http://api.company.com%2eevil.net/", "encoded dot"),
        ("http://api.company.com%00.evil.net/", "encoded NUL"), ("http://%61pi.company.com/", "encoded letter"),
        ("http://api.company.com\u{0}.evil.net/", "raw NUL"), ("http://api.company.com /", "space"),
        ("http://api.company.com\t/", "tab"), (" http://api.company.com/", "leading space"),
        ("http://api.company.com\n.evil.net/", "newline"), ("http:/api.company.com/", "one slash"),
        ("http:api.company.com/", "no slashes"), ("//api.company.com/", "no scheme"),
        ("https://аpi.company.com/", "Cyrillic а (homograph)"), ("http://api。company。com/", "ideographic full stop"),
        ("http://ａｐｉ.company.com/", "full-width letters"), ("http://api.company.com../", "empty label"),
        ("http://[api.company.com]/", "bracketed name"), ("http://api.company.com:0/", "port 0"),
        ("http://api.company.com:65536/", "port overflow"), ("http://api.company.com:80a/", "port junk"),
        ("http://api.company.com:/", "empty port"), ("http://api.company.com:8080/", "unlisted port"),
        ("http://api.company.com:80:80/", "two ports"), ("ftp://api.company.com/", "scheme"),
        ("file:///etc/passwd", "file"), ("gopher://api.company.com/", "gopher"),
        ("dict://api.company.com:11211/", "dict"),
        ("javascript:alert(1)", "javascript"), ("", "empty"), ("http://", "no host"), ("http:///x", "empty host"),
        ("http://api.company.com\u{200B}/", "zero-width space"),
        ("http://xn--pi-7ld.company.com/", "punycode homograph"),
        ("http://xn--zz.company.com/", "bad punycode"), ("http://api.company.com/\u{FF0F}x", "raw non-ASCII path"),
    ]

    @Test(arguments: allowlistBypasses)
    func allowlistBypassesAreDenied(_ url: String, _ what: String) throws {
        let policy = try Fixtures.salesAgent()
        let decision = policy.evaluate(Fixtures.get(url))
        #expect(decision.outcome == .deny, "\(what): \(url) -> \(decision.explanation)")
    }

    /// Positive controls: the table above is not passing because everything is denied.
    @Test(arguments: [
        "https://api.company.com/customers?limit=5", "HTTPS://API.COMPANY.COM/", "https://api.company.com./x",
        "https://sub.api.company.com/", "http://api.company.com:80/", "https://api.company.com:443/#frag",
        "https://outlook.office365.com/mail",
    ])
    func allowedURLsStayAllowed(_ url: String) throws {
        let decision = try Fixtures.salesAgent().evaluate(Fixtures.get(url))
        #expect(decision.outcome == .allow, "\(url) -> \(decision.explanation)")
    }

    @Test func permissivePolicyAllowsOrdinaryPublicHosts() throws {
        let policy = try Fixtures.policy(SSRFTests.permissive)
        #expect(policy.evaluate(Fixtures.get("https://example.com/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("https://93.184.216.34/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("https://[2606:2800:220:1::1]/")).outcome == .allow)
    }

    @Test func explicitCIDRAllowsAPrivateRangeAndNothingElse() throws {
        let policy = try Fixtures.policy(
            "network:\n  allow_cidrs: [\"10.20.0.0/16\", \"fd00:1::/32\"]\n  deny_cidrs: [\"10.20.99.0/24\"]\n")
        #expect(policy.evaluate(Fixtures.get("http://10.20.1.2/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://[::ffff:10.20.1.2]/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://[fd00:1::5]/")).outcome == .allow)
        #expect(policy.evaluate(Fixtures.get("http://10.20.99.2/")).outcome == .deny)
        #expect(policy.evaluate(Fixtures.get("http://10.21.0.1/")).outcome == .deny)
        #expect(policy.evaluate(Fixtures.get("http://127.0.0.1/")).outcome == .deny)
        // Not even a block that names a metadata address alone opens it (see MetadataTests).
        let metadata = try Fixtures.policy("network:\n  allow_cidrs: [\"169.254.169.254/32\"]\n")
        #expect(metadata.evaluate(Fixtures.get("http://169.254.169.254/")).outcome == .deny)
    }

    @Test func reasonsNameTheProblem() throws {
        let policy = try Fixtures.policy(SSRFTests.permissive)
        #expect(policy.evaluate(Fixtures.get("http://0x7f.1/")).explanation.contains("127.0.0.1 is a loopback address"))
        #expect(policy.evaluate(Fixtures.get("http://a@b.com/")).explanation.contains("user-info"))
        #expect(policy.evaluate(Fixtures.get("gopher://x.com/")).explanation.contains("scheme `gopher`"))
        #expect(policy.evaluate(Fixtures.get("http://169.254.169.254/")).explanation.contains("metadata"))
    }
}

/// Connection-time checks of resolved addresses (DNS rebinding, names that point inside).
@Suite struct ResolvedAddressTests {
    @Test func specialResolvedAddressesAreRefusedPublicOnesAllowed() throws {
        let policy = try Fixtures.salesAgent()
        for text in [
            "127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1", "fd00:ec2::254", "100.64.1.1",
        ] {
            #expect(policy.evaluateConnection(to: IPAddress(text)!).outcome == .deny, "\(text)")
        }
        // A public address of an allowed name is fine even though deny_all_others is set.
        #expect(policy.evaluateConnection(to: IPAddress("93.184.216.34")!).outcome == .allow)
        #expect(policy.evaluateConnection(to: IPAddress("2606:2800:220:1::1")!).outcome == .allow)
    }

    @Test func cidrRulesApplyToResolvedAddresses() throws {
        let policy = try Fixtures.policy("network:\n  allow_cidrs: [10.0.0.0/8]\n  deny_cidrs: [93.184.216.0/24]\n")
        #expect(policy.evaluateConnection(to: IPAddress("10.9.9.9")!).outcome == .allow)
        #expect(policy.evaluateConnection(to: IPAddress("93.184.216.34")!).outcome == .deny)
    }
}

/// Domain matching is on label boundaries, for any names (property test).
@Suite struct DomainBoundaryTests {
    @Test func allowedDomainMatchesItselfAndSubdomainsOnly() throws {
        var random = SeededGenerator(seed: 0x5EED_0006)
        let letters = Array("abcdefghij0123-".unicodeScalars)
        func label() -> String {
            var text = String(random.pick(Array("abcdefghij".unicodeScalars)))
            for _ in 0..<Int.random(in: 0...6, using: &random) { text.unicodeScalars.append(random.pick(letters)) }
            return text + String(random.pick(Array("xyz".unicodeScalars)))
        }
        for _ in 0..<300 {
            let domain = (0..<Int.random(in: 2...3, using: &random)).map { _ in label() }.joined(separator: ".")
            let policy = try Fixtures.policy("network:\n  allow_domains: [\"\(domain)\"]\n")
            let sub = label()
            #expect(policy.evaluate(Fixtures.get("https://\(domain)/")).outcome == .allow, "\(domain)")
            #expect(policy.evaluate(Fixtures.get("https://\(sub).\(domain)/")).outcome == .allow, "\(sub).\(domain)")
            #expect(policy.evaluate(Fixtures.get("https://\(domain.uppercased()).")).outcome == .allow, "\(domain)")
            #expect(policy.evaluate(Fixtures.get("https://\(sub)\(domain)/")).outcome == .deny, "\(sub)\(domain)")
            #expect(policy.evaluate(Fixtures.get("https://\(domain).\(sub)/")).outcome == .deny, "\(domain).\(sub)")
            #expect(policy.evaluate(Fixtures.get("https://\(domain)\(sub)/")).outcome == .deny, "\(domain)\(sub)")
        }
    }
}
