/// An absolute `scheme://host[:port][/path][?query][#fragment]` URL parsed strictly, so that what
/// the policy judges is what any reasonable client would connect to. Everything that parsers
/// disagree on is refused instead of guessed: whitespace and control characters, backslashes,
/// user-info (`user@host`), percent-encoded hosts, raw non-ASCII outside the host, a scheme
/// without `//`, empty or out-of-range ports.
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
    /// True when the IPv4 host was written in a non-canonical form (hex, octal, integer, short).
    public let hasObfuscatedIPv4: Bool

    /// Longest URL accepted.
    public static let maximumLength = 8192

    static let defaultPorts: [String: Int] = ["http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21]

    public init(_ text: String) throws(URLRejection) {
        let utf8 = text.utf8
        guard !utf8.isEmpty else { throw .empty }
        guard utf8.count <= StrictURL.maximumLength else { throw .tooLong }
        // Scheme.
        var index = utf8.startIndex
        var sawNonASCII = false
        for byte in utf8 {
            if byte < 0x21 || byte == 0x7F { throw .controlOrSpace }
            if byte == UInt8(ascii: "\\") { throw .backslash }
            if byte >= 0x80 { sawNonASCII = true }
        }
        while index < utf8.endIndex, utf8[index] != UInt8(ascii: ":") {
            let byte = utf8[index]
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isOther =
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isLetter || (isOther && index != utf8.startIndex) else { throw .badScheme }
            index = utf8.index(after: index)
        }
        guard index != utf8.startIndex, index < utf8.endIndex else { throw .missingScheme }
        let schemeText = text[text.startIndex..<index]
        let scheme = schemeText.lowercased()
        index = utf8.index(after: index)
        // Authority.
        guard utf8[index...].starts(with: "//".utf8) else { throw .missingAuthority }
        index = utf8.index(index, offsetBy: 2)
        let authorityStart = index
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            index = utf8.index(after: index)
        }
        let authority = text[authorityStart..<index]
        let rest = text[index...]
        if sawNonASCII, rest.utf8.contains(where: { $0 >= 0x80 }) { throw .nonASCIIOutsideHost }
        if authority.utf8.contains(UInt8(ascii: "@")) { throw .userInfo }
        // Host and port.
        var hostText: Substring
        var portText: Substring? = nil
        if authority.utf8.first == UInt8(ascii: "[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else { throw .badHost(.badIPv6) }
            hostText = authority[authority.utf8.index(after: authority.startIndex)..<close]
            let after = authority[authority.utf8.index(after: close)...]
            if !after.isEmpty {
                guard after.utf8.first == UInt8(ascii: ":") else { throw .badHost(.badIPv6) }
                portText = after.dropFirst()
            }
            let address = try StrictURL.parseBracketed(hostText)
            self.host = .ip(address)
            self.hasAmbiguousIPv4 = false
            self.hasObfuscatedIPv4 = false
        } else {
            hostText = authority
            if let colon = authority.utf8.firstIndex(of: UInt8(ascii: ":")) {
                hostText = authority[..<colon]
                portText = authority[authority.utf8.index(after: colon)...]
                if portText!.utf8.contains(UInt8(ascii: ":")) { throw .badPort }
            }
            if hostText.isEmpty { throw .badHost(.empty) }
            let normalized: (host: HostName, ambiguousIPv4: Bool)
            do {
                normalized = try HostName.normalize(hostText)
            } catch {
                throw .badHost(error)
            }
            self.host = normalized.host
            self.hasAmbiguousIPv4 = normalized.ambiguousIPv4
            if case .ip(let address) = normalized.host {
                self.hasObfuscatedIPv4 = hostText.utf8.last == UInt8(ascii: ".") ? true : "\(address)" != hostText
            } else {
                self.hasObfuscatedIPv4 = false
            }
        }
        if let portText {
            guard !portText.isEmpty, portText.utf8.count <= 5,
                portText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let port = Int(portText), (1...65535).contains(port)
            else { throw .badPort }
            self.port = port
            self.hasExplicitPort = true
        } else {
            self.port = StrictURL.defaultPorts[scheme]
            self.hasExplicitPort = false
        }
        self.scheme = scheme
        self.rest = rest
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

/// Why a URL was refused.
public enum URLRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case tooLong
    case controlOrSpace
    case backslash
    case nonASCIIOutsideHost
    case missingScheme
    case badScheme
    case missingAuthority
    case userInfo
    case badPort
    case badHost(HostRejection)

    public var description: String {
        switch self {
        case .empty: return "the URL is empty"
        case .tooLong: return "the URL is longer than \(StrictURL.maximumLength) bytes"
        case .controlOrSpace: return "the URL contains whitespace or control characters"
        case .backslash: return "the URL contains a backslash (parsers disagree on what it means)"
        case .nonASCIIOutsideHost: return "the URL has non-ASCII characters outside the host (percent-encode them)"
        case .missingScheme: return "the URL has no scheme (write https://...)"
        case .badScheme: return "the URL's scheme is malformed"
        case .missingAuthority: return "the URL has no `//` after the scheme"
        case .userInfo: return "the URL carries user-info (`user@host`), which can disguise the real host"
        case .badPort: return "the URL's port is not a number from 1 to 65535"
        case .badHost(let why): return why.description
        }
    }
}
