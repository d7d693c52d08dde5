/// An absolute `scheme://host[:port][/path][?query][#fragment]` URL parsed strictly, so that what
/// the policy judges is what any reasonable client would connect to. Everything that parsers
/// disagree on is refused instead of guessed: whitespace and control characters, backslashes,
/// user-info (`user@host`), percent-encoded hosts, raw non-ASCII outside the host, a scheme
/// without `//`, empty or out-of-range ports.
///
/// Parsing works on the UTF-8 bytes in place; a plain ASCII URL costs at most the allocation of
/// its normalised host name (none when it is 15 bytes or shorter).
public struct StrictURL: Sendable, Hashable {
    /// Lower-cased scheme.
    public let scheme: String
    public let host: HostName
    /// The explicit port, or the scheme's default port (nil for a scheme with no known default).
    public let port: Int?
    /// Whether the port was written in the URL.
    public let hasExplicitPort: Bool
    /// Path, query and fragment as written (possibly empty).
    public let rest: Substring
    /// True when the host was an IPv4 literal with a leading-zero part (`0177.0.0.1`), which
    /// parsers read differently (octal or decimal).
    public let hasAmbiguousIPv4: Bool

    /// Longest URL accepted.
    public static let maximumLength = 8192

    /// The port a scheme uses when the URL names none (`https` 443, `http` 80, ...), or nil.
    public static func defaultPort(_ scheme: String) -> Int? {
        switch scheme {
        case "https", "wss": return 443
        case "http", "ws": return 80
        case "ftp": return 21
        default: return nil
        }
    }

    /// Offsets of the parts found in one pass over the bytes.
    private struct Layout {
        var schemeEnd = 0
        var hostStart = 0
        var hostEnd = 0
        var portStart = -1
        var portEnd = -1
        var restStart = 0
        var bracketed = false
        var sawNonASCII = false
    }

    public init(_ text: String) throws(URLRejection) {
        var text = text
        let layout = text.withUTF8 { StrictURL.scan($0) }
        let parts: Layout
        switch layout {
        case .success(let found): parts = found
        case .failure(let rejection): throw rejection
        }
        let utf8 = text.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        let scheme = String(text[..<index(parts.schemeEnd)]).lowercased()
        let hostText = text[index(parts.hostStart)..<index(parts.hostEnd)]
        if parts.bracketed {
            self.host = .ip(try StrictURL.parseBracketed(hostText))
            self.hasAmbiguousIPv4 = false
        } else {
            do {
                let normalized = try HostName.normalize(hostText)
                self.host = normalized.host
                self.hasAmbiguousIPv4 = normalized.ambiguousIPv4
            } catch {
                throw .badHost(error)
            }
        }
        if parts.portStart >= 0 {
            var port = 0
            let bytes = utf8[index(parts.portStart)..<index(parts.portEnd)]
            guard !bytes.isEmpty, bytes.count <= 5 else { throw .badPort }
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .badPort }
                port = port * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard (1...65535).contains(port) else { throw .badPort }
            self.port = port
            self.hasExplicitPort = true
        } else {
            self.port = StrictURL.defaultPort(scheme)
            self.hasExplicitPort = false
        }
        self.scheme = scheme
        self.rest = text[index(parts.restStart)...]
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Layout, URLRejection> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maximumLength else { return .failure(.tooLong) }
        var layout = Layout()
        for byte in bytes {
            if byte < 0x21 || byte == 0x7F { return .failure(.controlOrSpace) }
            if byte == UInt8(ascii: "\\") { return .failure(.backslash) }
            if byte >= 0x80 { layout.sawNonASCII = true }
        }
        // Scheme: a letter, then letters, digits, `+`, `-`, `.`; then `://`.
        var index = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
            let byte = bytes[index]
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isOther =
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isLetter || (isOther && index > 0) else { return .failure(.badScheme) }
            index += 1
        }
        guard index > 0, index < bytes.count else { return .failure(.missingScheme) }
        layout.schemeEnd = index
        index += 1
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "/") else {
            return .failure(.missingAuthority)
        }
        index += 2
        return scanAuthority(bytes, from: index, into: &layout)
    }

    /// The authority (up to the first `/`, `?` or `#`): user-info refused, a bracketed IPv6
    /// host or a plain host, then an optional port.
    private static func scanAuthority(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into layout: inout Layout)
        -> Result<Layout, URLRejection>
    {
        var index = start
        let authorityStart = index
        var at = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "@") { at = true }
            index += 1
        }
        let authorityEnd = index
        layout.restStart = index
        if layout.sawNonASCII {
            for offset in authorityEnd..<bytes.count where bytes[offset] >= 0x80 {
                return .failure(.nonASCIIOutsideHost)
            }
        }
        if at { return .failure(.userInfo) }
        guard authorityStart < authorityEnd else { return .failure(.badHost(.empty)) }
        if bytes[authorityStart] == UInt8(ascii: "[") {
            var close = authorityStart
            while close < authorityEnd, bytes[close] != UInt8(ascii: "]") { close += 1 }
            guard close < authorityEnd else { return .failure(.badHost(.badIPv6)) }
            layout.bracketed = true
            layout.hostStart = authorityStart + 1
            layout.hostEnd = close
            if close + 1 < authorityEnd {
                guard bytes[close + 1] == UInt8(ascii: ":") else { return .failure(.badHost(.badIPv6)) }
                layout.portStart = close + 2
                layout.portEnd = authorityEnd
            }
        } else {
            layout.hostStart = authorityStart
            layout.hostEnd = authorityEnd
            var colon = authorityStart
            while colon < authorityEnd, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon < authorityEnd {
                layout.hostEnd = colon
                layout.portStart = colon + 1
                layout.portEnd = authorityEnd
            }
            guard layout.hostStart < layout.hostEnd else { return .failure(.badHost(.empty)) }
        }
        return .success(layout)
    }

    /// `[v6]` or `[v6%25zone]` (RFC 6874); the zone is dropped (the address is judged).
    static func parseBracketed(_ inner: Substring) throws(URLRejection) -> IPAddress {
        var address = inner
        if let percent = inner.utf8.firstIndex(of: UInt8(ascii: "%")) {
            address = inner[..<percent]
            let zone = inner[percent...]
            guard zone.utf8.starts(with: "%25".utf8), zone.utf8.count > 3,
                zone.utf8.dropFirst(3).allSatisfy({ byte in
                    (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
                })
            else { throw .badHost(.badZone) }
        }
        guard let (high, low) = IPAddress.parseIPv6(Array(address.utf8)[...]) else { throw .badHost(.badIPv6) }
        return .v6(high: high, low: low)
    }
}
