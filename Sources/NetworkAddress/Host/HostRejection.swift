/// Why a host was refused.
public enum HostRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case tooLong
    case emptyLabel
    case labelTooLong
    case hyphenAtLabelEdge
    case percentEncoded
    case forbiddenCharacter(Unicode.Scalar)
    case unnormalizableCharacter(Unicode.Scalar)
    case badPunycode
    case badIPv4
    case badIPv6
    case badZone

    public var description: String {
        switch self {
        case .empty: return "the host is empty"
        case .tooLong: return "the host is longer than \(HostName.maximumLength) characters"
        case .emptyLabel: return "the host has an empty label (`..`)"
        case .labelTooLong: return "a host label is longer than 63 characters"
        case .hyphenAtLabelEdge: return "a host label starts or ends with `-`"
        case .percentEncoded: return "the host is percent-encoded"
        case .forbiddenCharacter(let scalar):
            return "the host contains `\(scalar.escaped(asASCII: true))`, which no host name may contain"
        case .unnormalizableCharacter(let scalar):
            return
                "the host contains U+\(String(scalar.value, radix: 16, uppercase: true)), which IDNA would map or forbid"
        case .badPunycode: return "the host has an `xn--` label that is not valid Punycode"
        case .badIPv4: return "the host ends in a number but is not a valid IPv4 address"
        case .badIPv6: return "the host is not a valid IPv6 address"
        case .badZone: return "the IPv6 zone identifier is malformed (write it as %25name)"
        }
    }
}
