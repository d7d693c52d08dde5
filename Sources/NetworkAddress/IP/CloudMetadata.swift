/// Cloud metadata services: link-local endpoints inside every cloud instance that hand out the
/// instance's credentials, the classic target of server-side request forgery.
public enum CloudMetadata {
    /// The metadata service addresses (checked before the ranges that hold them, so that
    /// ``AddressClass/of(_:)`` names them ``AddressClass/metadata``).
    public static let addresses: [IPAddress] = [
        IPAddress(dottedQuad: "169.254.169.254"),  // AWS, GCP, Azure, OpenStack, DigitalOcean
        IPAddress(dottedQuad: "169.254.170.2"),  // AWS ECS task metadata
        IPAddress(dottedQuad: "169.254.169.123"),  // AWS time sync
        IPAddress(dottedQuad: "100.100.100.200"),  // Alibaba Cloud
        IPAddress(dottedQuad: "192.0.0.192"),  // Oracle Cloud
        IPAddress(ipv6: "fd00:ec2::254"),  // AWS IPv6
        IPAddress(ipv6: "fd00:ec2::23"),  // AWS IPv6 DNS
    ].compactMap { $0 }

    /// Whether `address` (or the IPv4 address an IPv4-mapped one carries) is a metadata endpoint.
    public static func contains(_ address: IPAddress) -> Bool {
        addresses.contains(address.unmapped)
    }
}
