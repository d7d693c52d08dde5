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

    @Test(arguments: [
        ("::ffff:0:0/96", "127.0.0.1", true), ("::ffff:0:0/96", "::ffff:127.0.0.1", true),
        ("::ffff:10.0.0.0/104", "10.255.0.1", true), ("::ffff:10.0.0.0/104", "11.0.0.1", false),
        ("fd00::/8", "10.0.0.1", false), ("::/0", "10.0.0.1", false), ("::/0", "::ffff:127.0.0.1", false),
        ("2000::/3", "8.8.8.8", false),
        ("10.0.0.0/8", "::ffff:10.0.0.1", true), ("10.0.0.0/8", "fd00::1", false),
    ])
    func blockContainment(_ block: String, _ address: String, _ inside: Bool) throws {
        let cidr = try #require(CIDRBlock(block))
        #expect(cidr.contains(try #require(IPAddress(address))) == inside, "\(block) ∋ \(address)")
    }
}
