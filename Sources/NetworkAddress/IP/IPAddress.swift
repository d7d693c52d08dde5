/// An IPv4 or IPv6 address, parsed strictly and printed canonically (dotted quad; RFC 5952 for
/// IPv6, with IPv4-mapped addresses as `::ffff:a.b.c.d`).
public enum IPAddress: Sendable, Hashable {
    case v4(UInt32)
    /// The 128 bits as two halves, most significant first.
    case v6(high: UInt64, low: UInt64)

    /// A strict dotted quad: exactly four decimal parts, 0...255, no leading zeros.
    public init?(dottedQuad text: String) {
        guard let value = IPAddress.parseDottedQuad(Array(text.utf8)[...]) else { return nil }
        self = .v4(value)
    }

    /// An IPv6 address in RFC 4291 text form (with `::` and a trailing dotted quad allowed), no
    /// zone identifier.
    public init?(ipv6 text: String) {
        guard let (high, low) = IPAddress.parseIPv6(Array(text.utf8)[...]) else { return nil }
        self = .v6(high: high, low: low)
    }

    /// A dotted quad or an IPv6 address.
    public init?(_ text: String) {
        if let address = IPAddress(dottedQuad: text) {
            self = address
        } else if let address = IPAddress(ipv6: text) {
            self = address
        } else {
            return nil
        }
    }

    // MARK: views

    /// For IPv4-mapped IPv6 (`::ffff:a.b.c.d`), the IPv4 address; otherwise nil.
    public var mappedIPv4: UInt32? {
        guard case .v6(let high, let low) = self, high == 0, low >> 32 == 0xFFFF else { return nil }
        return UInt32(truncatingIfNeeded: low)
    }

    /// The IPv4 address itself, or the one an IPv4-mapped IPv6 address carries.
    public var unmapped: IPAddress {
        if let v4 = mappedIPv4 { return .v4(v4) }
        return self
    }
}
