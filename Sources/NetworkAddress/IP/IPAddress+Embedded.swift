extension IPAddress {
    /// The IPv4 address an IPv6 address carries, which a translating network would deliver it
    /// to: IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96` and the local-use
    /// `64:ff9b:1::/48`, in the low 32 bits), 6to4 (`2002::/16`, in bits 16 to 47) and Teredo
    /// (`2001::/32`, the client address, stored inverted in the low 32 bits). Nil for any other
    /// address, IPv4 included.
    public var embeddedIPv4: UInt32? {
        guard case .v6(let high, let low) = self else { return nil }
        if let v4 = mappedIPv4 { return v4 }
        if high == 0x0064_ff9b_0000_0000 && low >> 32 == 0 || high >> 16 == 0x0064_ff9b_0001 {
            return UInt32(truncatingIfNeeded: low)
        }
        if high >> 48 == 0x2002 { return UInt32(truncatingIfNeeded: high >> 16) }
        if isTeredo { return ~UInt32(truncatingIfNeeded: low) }
        return nil
    }

    /// Whether the address is in Teredo's `2001::/32`.
    var isTeredo: Bool {
        guard case .v6(let high, _) = self else { return false }
        return high >> 32 == 0x2001_0000
    }
}
