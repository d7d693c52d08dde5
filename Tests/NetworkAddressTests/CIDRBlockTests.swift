import NetworkAddress
import Testing

@Suite struct CIDRBlockTests {
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

    /// A prefix length is one to three decimal digits: `Int` alone would take `+8` and `-0`.
    @Test(arguments: ["10.0.0.0/+8", "0.0.0.0/-0", "10.0.0.0/ 8", "10.0.0.0/", "10.0.0.0/0008", "::/+0"])
    func signedOrPaddedPrefixLengthsAreRefused(_ text: String) {
        #expect(CIDRBlock(text) == nil, "\(text)")
    }
}
