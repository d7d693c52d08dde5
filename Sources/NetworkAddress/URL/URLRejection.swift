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
