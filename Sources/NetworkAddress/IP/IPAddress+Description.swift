extension IPAddress: CustomStringConvertible {
    /// Canonical text: a dotted quad; RFC 5952 for IPv6 (`::ffff:a.b.c.d` for IPv4-mapped).
    public var description: String {
        switch self {
        case .v4(let value): return IPAddress.dottedQuad(value)
        case .v6(let high, let low):
            if let v4 = mappedIPv4 { return "::ffff:\(IPAddress.dottedQuad(v4))" }
            var groups: [UInt16] = []
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift)))
            }
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift)))
            }
            // RFC 5952: compress the longest run (length ≥ 2) of zero groups, the first on a tie.
            var bestStart = -1
            var bestLength = 1
            var runStart = -1
            for index in 0...8 {
                if index < 8 && groups[index] == 0 {
                    if runStart < 0 { runStart = index }
                } else if runStart >= 0 {
                    if index - runStart > bestLength {
                        bestStart = runStart
                        bestLength = index - runStart
                    }
                    runStart = -1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    static func dottedQuad(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }
}
