import Foundation

extension HostName {
    /// Normalises a host as written in a URL (without brackets; IPv6 is handled by the URL
    /// parser). Numeric hosts are read as IPv4 the way `inet_aton` and browsers do (`127.1`,
    /// `0x7f.0.0.1`, `2130706433`); `ambiguousIPv4` reports a part with a leading zero (octal to
    /// them, decimal to others).
    public static func normalize(_ raw: Substring) throws(HostRejection) -> (host: HostName, ambiguousIPv4: Bool) {
        guard !raw.isEmpty else { throw .empty }
        let count = raw.utf8.count
        guard count <= 4 * maximumLength else { throw .tooLong }
        var isASCII = true
        for byte in raw.utf8 where byte >= 0x80 {
            isASCII = false
            break
        }
        // Lower-case into the result directly (no intermediate copy), dropping one trailing dot.
        var lowered: String
        if isASCII {
            let length = raw.utf8.last == UInt8(ascii: ".") ? count - 1 : count
            guard length > 0 else { throw .empty }
            lowered = String(unsafeUninitializedCapacity: length) { buffer in
                var offset = 0
                for byte in raw.utf8 {
                    guard offset < length else { break }
                    buffer[offset] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                    offset += 1
                }
                return length
            }
        } else {
            var ascii = try asciiForm(of: raw)
            if ascii.last == UInt8(ascii: ".") { ascii.removeLast() }
            guard !ascii.isEmpty else { throw .empty }
            lowered = String(decoding: ascii, as: UTF8.self)
        }
        guard lowered.utf8.count <= maximumLength else { throw .tooLong }
        let verdict = lowered.withUTF8 { check($0) }
        switch verdict {
        case .success(nil): return (.domain(lowered), false)
        case .success(let (address, ambiguous)?): return (.ip(.v4(address)), ambiguous)
        case .failure(let rejection): throw rejection
        }
    }

    /// Validates a lower-cased ASCII host: nil for a domain name, the address for an IPv4 host.
    /// Every `xn--` label is checked, also in a host that had non-ASCII labels (`xn--zz.bücher.com`).
    private static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(UInt32, Bool)?, HostRejection> {
        // WHATWG: a host whose last label is a number is an IPv4 address (or an error).
        var lastStart = bytes.count
        while lastStart > 0, bytes[lastStart - 1] != UInt8(ascii: ".") { lastStart -= 1 }
        if endsInNumber(bytes[lastStart..<bytes.count]) {
            let labels = Array(bytes).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard let parsed = IPAddress.parseLegacyIPv4(labels) else { return .failure(.badIPv4) }
            return .success(parsed)
        }
        var labelStart = 0
        for index in 0...bytes.count {
            guard index == bytes.count || bytes[index] == UInt8(ascii: ".") else {
                switch bytes[index] {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "_"):
                    continue
                case UInt8(ascii: "%"): return .failure(.percentEncoded)
                default: return .failure(.forbiddenCharacter(Unicode.Scalar(bytes[index])))
                }
            }
            let label = bytes[labelStart..<index]
            guard !label.isEmpty else { return .failure(.emptyLabel) }
            guard label.count <= 63 else { return .failure(.labelTooLong) }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                return .failure(.hyphenAtLabelEdge)
            }
            if label.count > 4, label.starts(with: "xn--".utf8) {
                // An A-label must be valid Punycode that round-trips.
                let payload = String(decoding: label.dropFirst(4), as: UTF8.self)
                guard let decoded = Punycode.decode(payload), Punycode.encode(decoded) == payload else {
                    return .failure(.badPunycode)
                }
            }
            labelStart = index + 1
        }
        return .success(nil)
    }

    static func endsInNumber(_ label: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard !label.isEmpty else { return false }
        if label.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return true }
        if label.count >= 2, label.first == UInt8(ascii: "0"), label[label.startIndex + 1] == UInt8(ascii: "x") {
            return label.dropFirst(2).allSatisfy { IPAddress.digitValue($0) != nil }
        }
        return false
    }

    /// IDNA to ASCII for a host with non-ASCII characters: lower-case and NFC, then every label
    /// with non-ASCII characters checked and Punycode-encoded. Characters IDNA would *map* to
    /// something else (full-width letters, ideographic full stops, compatibility forms) and
    /// characters that are neither letters, marks nor digits are rejected rather than mapped:
    /// a host this code cannot normalise exactly is not a host it will judge.
    static func asciiForm(of raw: Substring) throws(HostRejection) -> [UInt8] {
        let normalized = String(raw).lowercased().precomposedStringWithCanonicalMapping
        var output: [UInt8] = []
        let labels = normalized.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false)
        for (position, label) in labels.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ".")) }
            if label.allSatisfy(\.isASCII) {
                output.append(contentsOf: label.map { UInt8($0.value) })
                continue
            }
            for scalar in label where !scalar.isASCII {
                let properties = scalar.properties
                guard !properties.changesWhenNFKCCaseFolded, !properties.isDefaultIgnorableCodePoint else {
                    throw .unnormalizableCharacter(scalar)
                }
                switch properties.generalCategory {
                case .lowercaseLetter, .otherLetter, .modifierLetter, .nonspacingMark, .spacingMark,
                    .decimalNumber:
                    continue
                default:
                    throw .unnormalizableCharacter(scalar)
                }
            }
            guard let encoded = Punycode.encode(Array(label)) else { throw .labelTooLong }
            output.append(contentsOf: "xn--".utf8)
            output.append(contentsOf: encoded.utf8)
        }
        return output
    }
}
