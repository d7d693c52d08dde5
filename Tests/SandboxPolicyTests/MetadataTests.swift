import NetworkAddress
import Testing

@testable import SandboxPolicy

/// Cloud metadata endpoints are denied unless the policy says `network.allow_metadata: true`:
/// no CIDR block, however broad, and no domain entry implies them.
@Suite struct MetadataTests {
    /// Allows every address block and every listed name it can.
    static let broad = """
        network:
          deny_all_others: false
          allow_cidrs: ["0.0.0.0/0", "::/0", "::ffff:0:0/96", "169.254.0.0/16", "100.64.0.0/10", "192.0.0.0/24",
                        "fd00::/8", "fe80::/10", "64:ff9b::/96", "2002::/16", "2001::/32"]
          allow_domains: ["google.internal", "metadata.google.internal", "metadata.goog", "azure.com", "instance-data",
                          "ec2.internal", "tencentyun.com", "platformequinix.com", "packet.net", "cloud.ibm.com", "metadata"]
        """

    /// Every spelling of every metadata address: as written, IPv4-mapped, NAT64, 6to4 and the
    /// legacy IPv4 forms (one integer, hex).
    static var addressURLs: [String] {
        var urls: [String] = []
        for address in CloudMetadata.addresses {
            urls.append(MetadataTests.url(address))
            guard case .v4(let v4) = address else { continue }
            urls.append("http://\(v4)/")
            urls.append("http://0x\(String(v4, radix: 16))/")
            urls.append("http://[::ffff:\(address)]/")
            urls.append("http://[64:ff9b::\(address)]/")
            urls.append("http://[2002:\(String(v4 >> 16, radix: 16)):\(String(v4 & 0xFFFF, radix: 16))::1]/")
        }
        return urls
    }

    static func url(_ address: IPAddress) -> String {
        if case .v6 = address { return "http://[\(address)]/" }
        return "http://\(address)/"
    }

    static let hostURLs = CloudMetadata.hostNames.flatMap { name in
        ["http://\(name)/", "http://\(name.uppercased()).:80/latest", "http://x.\(name)/"]
    }

    @Test func noBlockOrDomainEntryReachesAMetadataEndpoint() throws {
        let policy = try Fixtures.policy(MetadataTests.broad)
        #expect(MetadataTests.addressURLs.count > 40)
        for url in MetadataTests.addressURLs + MetadataTests.hostURLs {
            let decision = policy.evaluate(Fixtures.get(url))
            #expect(decision.outcome == .deny, "\(url) -> \(decision.explanation)")
            #expect(decision.rule == "network.allow_metadata", "\(url) -> \(decision.rule)")
        }
        for address in CloudMetadata.addresses {
            #expect(policy.evaluateConnection(to: address).outcome == .deny, "\(address)")
        }
        // The controls: the same policy allows the neighbours.
        for url in ["http://169.254.169.253/", "http://100.100.100.201/", "http://db.google.internal/"] {
            #expect(policy.evaluate(Fixtures.get(url)).outcome == .allow, "\(url)")
        }
    }

    @Test func allowMetadataOpensExactlyTheMetadataEndpoints() throws {
        let policy = try Fixtures.policy("network:\n  allow_metadata: true\n")
        for url in MetadataTests.addressURLs + MetadataTests.hostURLs {
            let decision = policy.evaluate(Fixtures.get(url))
            #expect(decision.outcome == .allow, "\(url) -> \(decision.explanation)")
            #expect(decision.reason.code == "metadata_allowed", "\(url)")
        }
        for address in CloudMetadata.addresses {
            #expect(policy.evaluateConnection(to: address).outcome == .allow, "\(address)")
        }
        for url in ["http://169.254.169.253/", "http://10.0.0.1/", "http://db.google.internal/", "http://x.com/"] {
            #expect(policy.evaluate(Fixtures.get(url)).outcome == .deny, "\(url)")
        }
    }

    @Test func denyEntriesStillWinOverAllowMetadata() throws {
        let policy = try Fixtures.policy(
            """
            network:
              allow_metadata: true
              deny_cidrs: ["169.254.169.254/32"]
              deny_domains: ["metadata.goog"]
            """)
        #expect(policy.evaluate(Fixtures.get("http://169.254.169.254/")).rule == "network.deny_cidrs[0]")
        #expect(policy.evaluate(Fixtures.get("http://metadata.goog/")).rule == "network.deny_domains[0]")
        #expect(policy.evaluate(Fixtures.get("http://100.100.100.200/")).outcome == .allow)
    }

    @Test func optingInIsReportedLoudly() throws {
        let policy = try Fixtures.policy("network:\n  allow_domains: [api.company.com]\n  allow_metadata: true\n")
        let warning = policy.warnings.first { $0.message.hasPrefix("SECURITY: `allow_metadata: true`") }
        #expect(warning?.location == SourceLocation(line: 3, column: 19), "\(policy.warnings)")
        #expect(try Fixtures.policy("network:\n  allow_metadata: false\n").warnings.isEmpty)
        #expect(Fixtures.errors("network:\n  allow_metadata: yes please\n").count == 1)
    }

    @Test func aDomainEntryNamingAMetadataHostIsReportedAsHavingNoEffect() throws {
        let policy = try Fixtures.policy("network:\n  allow_domains: [metadata.google.internal, google.internal]\n")
        let warned = policy.warnings.filter { $0.message.contains("has no effect") }
        #expect(warned.count == 1, "\(policy.warnings)")
        #expect(warned.first?.location == SourceLocation(line: 2, column: 19))
    }

    @Test func theDiffMarksOptingInAsWidening() throws {
        let old = try PolicyDocument(yaml: "network:\n  allow_metadata: false\n")
        let new = try PolicyDocument(yaml: "network:\n  allow_metadata: true\n")
        let change = PolicyDiff(from: old, to: new).changes.first { $0.path == "network.allow_metadata" }
        #expect(change?.effect == .widens)
        #expect(PolicyDiff(from: new, to: old).changes.first?.effect == .narrows)
    }
}
