import NetworkAddress

extension NetworkRules {
    /// What an `allow_cidrs` block opens up that its author may not mean, as the end of a
    /// warning, or nil: loopback, or a block wider than /8 (IPv4, including `::ffff:0:0/96`
    /// forms) or /16 (IPv6). Loopback a `deny_cidrs` block refuses is left out (deny is checked
    /// first); a single loopback host (`127.0.0.1`, `::1/128`) is taken as meant. Cloud metadata
    /// addresses are never opened by a block (only `allow_metadata` does that): a block that is
    /// just one of them is reported as having no effect.
    static func exposure(of block: CIDRBlock, denied: [CIDRBlock]) -> String? {
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
        if singleHost, CloudMetadata.contains(block.address) {
            return "has no effect: a cloud metadata address is allowed only by network.allow_metadata: true"
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
        if !opened.isEmpty {
            parts.append("loopback (\(opened.map(\.description).joined(separator: ", ")))")
        }
        if width < limit {
            parts.append("every address in a /\(width) block (wider than /\(limit))")
        }
        guard let last = parts.popLast() else { return nil }
        let list = parts.isEmpty ? last : "\(parts.joined(separator: ", ")) and \(last)"
        return "allows \(list); list the exact addresses you mean"
    }
}
