/// An IPv4 or IPv6 address, parsed strictly and printed canonically (dotted quad; RFC 5952 for
/// IPv6, with IPv4-mapped addresses as `::ffff:a.b.c.d`).
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    /// The 128 bits as two halves, most significant first.
    case v6(high: UInt64, low: UInt64)

    // MARK: parsing

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

    static func parseDottedQuad(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if digits == 1 && leadingZero { return nil }
            if digits == 0 { leadingZero = byte == UInt8(ascii: "0") }
            part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
            digits += 1
            guard part <= 255 else { return nil }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    /// How a URL host that "ends in a number" reads as IPv4 (the `inet_aton` / WHATWG rules):
    /// 1 to 4 parts, each decimal, octal (leading `0`) or hex (`0x`); the last part fills the
    /// remaining bytes. `nil` when it does not parse; `ambiguous` when some part has a leading
    /// zero (octal here, decimal to some other parsers).
    static func parseLegacyIPv4(_ labels: [ArraySlice<UInt8>]) -> (address: UInt32, ambiguous: Bool)? {
        guard (1...4).contains(labels.count) else { return nil }
        var numbers: [UInt64] = []
        var ambiguous = false
        for label in labels {
            guard !label.isEmpty else { return nil }
            var digits = label
            var radix: UInt64 = 10
            if digits.count >= 2, digits.first == UInt8(ascii: "0"),
                digits[digits.startIndex + 1] | 0x20 == UInt8(ascii: "x")
            {
                radix = 16
                digits = digits.dropFirst(2)
            } else if digits.count >= 2, digits.first == UInt8(ascii: "0") {
                radix = 8
                digits = digits.dropFirst()
                ambiguous = true
            }
            var number: UInt64 = 0
            for byte in digits {
                guard let digit = IPAddress.digitValue(byte), UInt64(digit) < radix else { return nil }
                number = number * radix + UInt64(digit)
                guard number <= UInt64(UInt32.max) else { return nil }
            }
            numbers.append(number)
        }
        let last = numbers.removeLast()
        var address: UInt64 = 0
        for number in numbers {
            guard number <= 255 else { return nil }
            address = address << 8 | number
        }
        let remainingBits = UInt64(8 * (4 - numbers.count))
        guard last < (1 << remainingBits) else { return nil }
        address = address << remainingBits | last
        return (UInt32(address), ambiguous)
    }

    static func digitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func parseIPv6(_ bytes: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var compressAt: Int? = nil
        var index = bytes.startIndex
        if bytes[index] == UInt8(ascii: ":") {
            guard bytes[index + 1] == UInt8(ascii: ":") else { return nil }
            compressAt = 0
            index += 2
        }
        while index < bytes.endIndex {
            // A trailing dotted quad takes the last 32 bits.
            let rest = bytes[index...]
            if rest.contains(UInt8(ascii: ".")), !rest.contains(UInt8(ascii: ":")) {
                guard groups.count <= 6, let quad = parseDottedQuad(rest) else { return nil }
                groups.append(UInt16(quad >> 16))
                groups.append(UInt16(quad & 0xFFFF))
                index = bytes.endIndex
                break
            }
            var value: UInt32 = 0
            var digits = 0
            while index < bytes.endIndex, let digit = digitValue(bytes[index]) {
                value = value << 4 | UInt32(digit)
                digits += 1
                index += 1
                guard digits <= 4 else { return nil }
            }
            guard digits > 0 else { return nil }
            groups.append(UInt16(value))
            guard groups.count <= 8 else { return nil }
            if index == bytes.endIndex { break }
            guard bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") {
                guard compressAt == nil else { return nil }
                compressAt = groups.count
                index += 1
            } else if index == bytes.endIndex {
                return nil
            }
        }
        if let compressAt {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: compressAt)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
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
