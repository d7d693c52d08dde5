/// The special-purpose address ranges an egress policy refuses unless a CIDR allows them:
/// loopback, private, link-local, carrier-grade NAT, cloud metadata endpoints and the other
/// IANA special-purpose blocks that are never a public service.
public enum AddressClass: String, Sendable, Hashable, CaseIterable {
    case metadata = "a cloud metadata address"
    case loopback = "a loopback address"
    case privateNetwork = "a private-network address"
    case linkLocal = "a link-local address"
    case carrierGradeNAT = "a carrier-grade NAT (shared) address"
    case uniqueLocal = "an IPv6 unique-local address"
    case siteLocal = "a deprecated IPv6 site-local address"
    case unspecified = "the unspecified address"
    case thisNetwork = "a `this network` (0.0.0.0/8) address"
    case multicast = "a multicast address"
    case broadcast = "the broadcast address"
    case reserved = "a reserved address"
    case documentation = "a documentation address"
    case benchmarking = "a benchmarking address"
    case protocolAssignment = "an IETF protocol-assignment address"
    case ipv4Compatible = "a deprecated IPv4-compatible IPv6 address"
    case tunnel = "a tunnelling (Teredo / 6to4 / NAT64) address that embeds a special address"
    case discard = "an IPv6 discard-only address"

    static let ipv4Ranges: [(CIDRBlock, AddressClass)] = blocks([
        ("0.0.0.0/8", .thisNetwork), ("10.0.0.0/8", .privateNetwork), ("100.64.0.0/10", .carrierGradeNAT),
        ("127.0.0.0/8", .loopback), ("169.254.0.0/16", .linkLocal), ("172.16.0.0/12", .privateNetwork),
        ("192.0.0.0/24", .protocolAssignment), ("192.0.2.0/24", .documentation),
        ("192.88.99.0/24", .reserved), ("192.168.0.0/16", .privateNetwork), ("198.18.0.0/15", .benchmarking),
        ("198.51.100.0/24", .documentation), ("203.0.113.0/24", .documentation), ("224.0.0.0/4", .multicast),
        ("255.255.255.255/32", .broadcast), ("240.0.0.0/4", .reserved),
    ])

    static let ipv6Ranges: [(CIDRBlock, AddressClass)] = blocks([
        ("::/128", .unspecified), ("::1/128", .loopback), ("100::/64", .discard),
        ("2001:db8::/32", .documentation), ("2001::/23", .protocolAssignment), ("fc00::/7", .uniqueLocal),
        ("fe80::/10", .linkLocal), ("fec0::/10", .siteLocal), ("ff00::/8", .multicast),
        ("::/96", .ipv4Compatible),
    ])

    static let globalUnicast = CIDRBlock("2000::/3")!

    /// The IANA blocks of this class (IPv4 first), e.g. `127.0.0.0/8` and `::1/128` for
    /// ``loopback``. Empty for ``metadata`` (single addresses: ``CloudMetadata/addresses``) and
    /// ``tunnel`` (judged by the address they embed).
    public static func blocks(of kind: AddressClass) -> [CIDRBlock] {
        (ipv4Ranges + ipv6Ranges).filter { $0.1 == kind }.map(\.0)
    }

    private static func blocks(_ table: [(String, AddressClass)]) -> [(CIDRBlock, AddressClass)] {
        table.map { (CIDRBlock($0.0)!, $0.1) }
    }

    /// The class of a special-purpose address, or nil for an ordinary public address. IPv6
    /// forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
    public static func of(_ address: IPAddress) -> AddressClass? {
        if CloudMetadata.contains(address) { return .metadata }
        switch address {
        case .v4:
            for (block, kind) in ipv4Ranges where block.contains(address) { return kind }
            return nil
        case .v6:
            if let v4 = address.mappedIPv4 { return of(.v4(v4)) }
            // Teredo (2001:0::/32) hides the client address; never a plain public service.
            if address.isTeredo { return .tunnel }
            // NAT64 and 6to4 embed an IPv4 address: special when it is.
            if let v4 = address.embeddedIPv4 { return of(.v4(v4)) == nil ? nil : .tunnel }
            for (block, kind) in ipv6Ranges where block.contains(address) { return kind }
            // Only 2000::/3 is global unicast; the rest of the space is reserved (this also
            // covers ::/8 forms such as the SIIT ::ffff:0:a.b.c.d).
            return globalUnicast.contains(address) ? nil : .reserved
        }
    }
}
