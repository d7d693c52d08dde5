import JSON

/// Hand-written recognisers for the formats, over UTF-8 bytes (all of these formats are ASCII).
enum FormatRules {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66) }

    /// The decimal value of exactly `count` digits at `offset`, or nil.
    static func number(_ bytes: ArraySlice<UInt8>, _ offset: Int, _ count: Int) -> Int? {
        let start = bytes.startIndex + offset
        guard start + count <= bytes.endIndex else { return nil }
        var value = 0
        for index in start..<(start + count) {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - 0x30)
        }
        return value
    }

    /// RFC 3339 full-date: `YYYY-MM-DD`, a real calendar day.
    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 10, bytes[bytes.startIndex + 4] == 0x2D, bytes[bytes.startIndex + 7] == 0x2D,
            let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
            (1...12).contains(month), day >= 1
        else { return false }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// RFC 3339 full-time: `HH:MM:SS[.frac](Z|±HH:MM)`; a leap second only at 23:59:60 UTC.
    static func isTime(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 9, let hour = number(bytes, 0, 2), bytes[bytes.startIndex + 2] == 0x3A,
            let minute = number(bytes, 3, 2), bytes[bytes.startIndex + 5] == 0x3A, let second = number(bytes, 6, 2),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = bytes.startIndex + 8
        if bytes[index] == 0x2E {
            index += 1
            let start = index
            while index < bytes.endIndex && isDigit(bytes[index]) { index += 1 }
            guard index > start, index < bytes.endIndex else { return false }
        }
        var offsetMinutes = 0
        switch bytes[index] {
        case 0x5A, 0x7A:
            guard index + 1 == bytes.endIndex else { return false }
        case 0x2B, 0x2D:
            let offset = bytes[(index + 1)...]
            guard offset.count == 5, let offsetHour = number(offset, 0, 2), offset[offset.startIndex + 2] == 0x3A,
                let offsetMinute = number(offset, 3, 2), offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (bytes[index] == 0x2B ? 1 : -1)
        default:
            return false
        }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > 11, bytes[10] == 0x54 || bytes[10] == 0x74 else { return false }
        return isDate(bytes[0..<10]) && isTime(bytes[11...])
    }

    static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(isDigit) else { return false }
            if part.count > 1 && part.first == 0x30 { return false }
            guard let value = number(part, 0, part.count), value <= 255 else { return false }
        }
        return true
    }

    static func isIPv6(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 45 else { return false }
        let text = Array(bytes)
        var halves: [[UInt8]] = []
        var index = 0
        var start = 0
        while index + 1 < text.count {
            if text[index] == 0x3A && text[index + 1] == 0x3A {
                halves.append(Array(text[start..<index]))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        halves.append(Array(text[start...]))
        guard halves.count <= 2 else { return false }
        var total = 0
        for (offset, half) in halves.enumerated() where !half.isEmpty {
            let groups = half.split(separator: 0x3A, omittingEmptySubsequences: false)
            for (position, group) in groups.enumerated() {
                let isLast = offset == halves.count - 1 && position == groups.count - 1
                if isLast && group.contains(0x2E) {
                    guard isIPv4(group) else { return false }
                    total += 2
                    continue
                }
                guard !group.isEmpty, group.count <= 4, group.allSatisfy(isHex) else { return false }
                total += 1
            }
        }
        return halves.count == 2 ? total <= 7 : total == 8
    }

    /// RFC 1123 host name: dot-separated labels of letters, digits and hyphens.
    static func isHostname(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        for label in bytes.split(separator: 0x2E, omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, label.first != 0x2D, label.last != 0x2D,
                label.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == 0x2D })
            else { return false }
        }
        return true
    }

    /// RFC 5321 mailbox: dot-atom or quoted local part, `@`, host name or address literal.
    static func isEmail(_ bytes: [UInt8]) -> Bool {
        guard let at = bytes.lastIndex(of: 0x40), at > 0, at < bytes.count - 1 else { return false }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        if local.first == 0x22 {
            guard local.count >= 2, local.last == 0x22 else { return false }
            var index = local.startIndex + 1
            while index < local.endIndex - 1 {
                let byte = local[index]
                if byte == 0x5C {
                    index += 2
                    continue
                }
                if byte == 0x22 || byte < 0x20 { return false }
                index += 1
            }
            guard index == local.endIndex - 1 else { return false }
        } else {
            let atext = Set("!#$%&'*+-/=?^_`{|}~".utf8)
            guard local.first != 0x2E, local.last != 0x2E else { return false }
            var previous: UInt8 = 0
            for byte in local {
                if byte == 0x2E && previous == 0x2E { return false }
                guard isAlpha(byte) || isDigit(byte) || byte == 0x2E || atext.contains(byte) || byte >= 0x80 else {
                    return false
                }
                previous = byte
            }
        }
        if domain.first == 0x5B {
            guard domain.last == 0x5D else { return false }
            let literal = domain.dropFirst().dropLast()
            if literal.starts(with: Array("IPv6:".utf8)) { return isIPv6(literal.dropFirst(5)) }
            return isIPv4(literal)
        }
        return isHostname(domain)
    }

    static func isUUID(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == 0x2D else { return false }
            } else if !isHex(byte) {
                return false
            }
        }
        return true
    }

    static func isJSONPointer(_ bytes: [UInt8]) -> Bool {
        if bytes.isEmpty { return true }
        guard bytes[0] == 0x2F else { return false }
        for (index, byte) in bytes.enumerated() where byte == 0x7E {
            guard index + 1 < bytes.count, bytes[index + 1] == 0x30 || bytes[index + 1] == 0x31 else { return false }
        }
        return true
    }

    /// RFC 3986 URI (with scheme) or URI reference: only allowed ASCII characters, valid
    /// percent-escapes, a well-formed scheme, authority and port.
    static func isURI(_ bytes: [UInt8], requireScheme: Bool) -> Bool {
        let allowed = Set("-._~:/?#[]@!$&'()*+,;=%".utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x25 {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
                index += 3
                continue
            }
            guard isAlpha(byte) || isDigit(byte) || allowed.contains(byte) else { return false }
            index += 1
        }
        guard let text = String(validating: bytes, as: UTF8.self), let uri = URIReference(text) else { return false }
        if requireScheme && uri.scheme == nil { return false }
        if uri.scheme == nil, let colon = text.firstIndex(of: ":") {
            // A relative reference's first segment may not contain a colon.
            let firstSegmentEnd = text.firstIndex(where: { "/?#".contains($0) }) ?? text.endIndex
            if colon < firstSegmentEnd { return false }
        }
        if let fragment = uri.fragment, fragment.contains("#") { return false }
        if let authority = uri.authority {
            var host = Substring(authority)
            if let at = host.firstIndex(of: "@") {
                let userinfo = host[..<at]
                if userinfo.contains("[") || userinfo.contains("]") { return false }
                host = host[host.index(after: at)...]
                if host.contains("@") { return false }
            }
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { return false }
                let literal = host[host.index(after: host.startIndex)..<close]
                if !isIPv6(ArraySlice(literal.utf8)) && !literal.hasPrefix("v") { return false }
                host = host[host.index(after: close)...]
                if !host.isEmpty && !host.hasPrefix(":") { return false }
            }
            if host.contains("[") || host.contains("]") { return false }
            if let colon = host.lastIndex(of: ":") {
                guard host[host.index(after: colon)...].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            }
        } else if uri.path.contains("[") || uri.path.contains("]") {
            return false
        }
        return true
    }
}
