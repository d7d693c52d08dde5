extension IPAddress {
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
}
