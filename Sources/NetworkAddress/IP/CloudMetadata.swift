/// Cloud metadata services: endpoints inside a cloud instance (or container task) that hand out
/// its credentials and configuration, the classic target of server-side request forgery. An
/// egress policy refuses them unless it opts in for exactly them; no address block implies them.
public enum CloudMetadata {
    /// The metadata service addresses, by provider. Entries marked unconfirmed were not found in
    /// the provider's documentation (sources: `docs/network-address.md`); they stay, since denying
    /// an extra address costs nothing in a deny-by-default egress list.
    /// IPv6 forms that carry one of the IPv4
    /// addresses (mapped, NAT64, 6to4, Teredo) are metadata addresses too (``contains(_:)``).
    public static let addresses: [IPAddress] = [
        // AWS EC2, Google Cloud, Azure, OpenStack, DigitalOcean, Oracle Cloud, Hetzner, Linode,
        // Vultr, IBM Cloud, Huawei Cloud and most other clouds.
        "169.254.169.254",
        "169.254.170.2",  // AWS ECS task metadata and credentials
        "169.254.170.23",  // AWS EKS Pod Identity agent (credentials)
        "169.254.169.123",  // AWS Time Sync, an instance-local service
        "100.100.100.200",  // Alibaba Cloud
        "192.0.0.192",  // Oracle Cloud (classic endpoint)
        "169.254.42.42",  // Scaleway (confirmed: Scaleway Instance API, user data)
        "169.254.0.23",  // Tencent Cloud (unconfirmed: its documentation names only the host name)
        "fd00:ec2::254",  // AWS EC2, IPv6
        "fd00:ec2::23",  // AWS EKS Pod Identity agent, IPv6
        "fd00:ec2::123",  // AWS Time Sync, IPv6
        "fd20:ce::254",  // Google Cloud, IPv6 (unconfirmed: its documentation gives only IPv4)
        "fe80::a9fe:a9fe",  // OpenStack, IPv6
        "fd00:a9fe:a9fe::1",  // Linode, IPv6 (confirmed: Akamai, "Use the Metadata service API")
        "fd00:42::42",  // Scaleway, IPv6 (confirmed: as 169.254.42.42)
    ].compactMap { IPAddress($0) }

    /// Host names of metadata services, lower case; each also covers every name under it.
    public static let hostNames: [String] = [
        "metadata.google.internal", "metadata.goog",  // Google Cloud
        "metadata.azure.com",  // Azure (unconfirmed: its documentation gives only 169.254.169.254)
        "instance-data", "instance-data.ec2.internal",  // AWS EC2
        "metadata.tencentyun.com",  // Tencent Cloud
        "metadata.platformequinix.com", "metadata.packet.net",  // Equinix Metal (Packet)
        "api.metadata.cloud.ibm.com",  // IBM Cloud (confirmed: VPC Identity API, endpoint URLs)
        "metadata",  // the single-label alias several clouds resolve
    ]

    /// Whether `address`, or the IPv4 address it carries, is a metadata endpoint.
    public static func contains(_ address: IPAddress) -> Bool {
        if addresses.contains(address) { return true }
        guard let v4 = address.embeddedIPv4 else { return false }
        return addresses.contains(.v4(v4))
    }

    /// Whether `host` (a normalised name, as ``HostName/domain(_:)`` holds it) is a metadata
    /// host name or a name under one.
    public static func matches(host: String) -> Bool {
        hostNames.contains { name in
            host == name || (host.hasSuffix(name) && host.utf8.dropLast(name.utf8.count).last == UInt8(ascii: "."))
        }
    }
}
