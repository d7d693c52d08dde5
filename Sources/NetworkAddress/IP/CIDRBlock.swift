/// An address block such as `10.0.0.0/8` or `fd00::/8`.
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `address/length` (or a bare address, meaning a single host). Host bits must be zero.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let maximum: Int
        if case .v4 = address { maximum = 32 } else { maximum = 128 }
        var length = maximum
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ ("0"..."9").contains($0) }),
                let parsed = Int(parts[1]), (0...maximum).contains(parsed)
            else {
                return nil
            }
            length = parsed
        }
        self.address = address
        self.prefixLength = length
        guard CIDRBlock.masked(address, length) == address else { return nil }
    }

    init(_ address: IPAddress, _ prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Whether `candidate` is inside the block. An IPv4 block also contains the IPv4-mapped IPv6
    /// forms of its addresses; an IPv6 block inside `::ffff:0:0/96` (written as mapped addresses)
    /// contains the IPv4 addresses it maps. A wider IPv6 block (`::/0`) holds no IPv4 address, so
    /// allowing IPv6 space never allows IPv4 loopback or private ranges by accident.
    public func contains(_ candidate: IPAddress) -> Bool {
        switch (address, candidate.unmapped) {
        case (.v4, .v4), (.v6, .v6): return CIDRBlock.masked(candidate.unmapped, prefixLength) == address
        case (.v6, .v4(let v4)):
            // Compare in IPv6 form: masking an IPv4 value with a prefix over 32 bits would trap.
            guard prefixLength >= 96 else { return false }
            let mapped = IPAddress.v6(high: 0, low: 0xFFFF << 32 | UInt64(v4))
            return CIDRBlock.masked(mapped, prefixLength) == address
        default: return false
        }
    }

    static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return .v4(value & mask)
        case .v6(let high, let low):
            let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
            return .v6(high: high & highMask, low: low & lowMask)
        }
    }
}
