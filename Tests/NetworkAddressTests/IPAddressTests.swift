import NetworkAddress
import TestSupport
import Testing

@Suite struct IPAddressTests {
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
}
