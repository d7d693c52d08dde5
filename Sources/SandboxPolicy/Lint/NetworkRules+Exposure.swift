import NetworkAddress

extension NetworkRules {
    /// What an `allow_cidrs` block opens up that its author may not mean, as the end of a
    /// warning, or nil: cloud metadata addresses, loopback, or a block wider than /8 (IPv4,
    /// including `::ffff:0:0/96` forms) or /16 (IPv6). Addresses a `deny_cidrs` block refuses
    /// are left out (deny is checked first). A single loopback host (`127.0.0.1`, `::1/128`) is
    /// taken as meant; a single metadata host is still warned about, since metadata services
    /// hand out instance credentials.
    static func exposure(of block: CIDRBlock, denied: [CIDRBlock]) -> String? {
        let metadata = CloudMetadata.addresses.filter { address in
            block.contains(address) && !denied.contains { $0.contains(address) }
        }
        let singleHost: Bool
        var width = block.prefixLength
        var limit = 16
        switch block.address {
        case .v4:
            singleHost = block.prefixLength == 32
            limit = 8
        case .v6:
            singleHost = block.prefixLength == 128
            if block.address.mappedIPv4 != nil, block.prefixLength >= 96 {
                width -= 96
                limit = 8
            }
        }
        let loopback = AddressClass.blocks(of: .loopback)
        let opened =
            singleHost
            ? []
            : loopback.filter { range in
                (block.contains(range.address) || range.contains(block.address))
                    && !denied.contains { $0.prefixLength <= range.prefixLength && $0.contains(range.address) }
            }
        var parts: [String] = []
        if !metadata.isEmpty {
            let addresses = metadata.map(\.description)
            parts.append(
                addresses.count == 1
                    ? "the cloud metadata address \(addresses[0])"
                    : "the cloud metadata addresses (\(addresses.joined(separator: ", ")))")
        }
        if !opened.isEmpty {
            parts.append("loopback (\(opened.map(\.description).joined(separator: ", ")))")
        }
        if width < limit {
            parts.append("every address in a /\(width) block (wider than /\(limit))")
        }
        guard let last = parts.popLast() else { return nil }
        let list = parts.isEmpty ? last : "\(parts.joined(separator: ", ")) and \(last)"
        if singleHost {
            return "allows \(list); keep it only if the agent must reach that cloud service"
        }
        return "allows \(list); list the exact addresses you mean"
    }
}
