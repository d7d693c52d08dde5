/// A URL host in normalised form: a lower-case ASCII domain name (internationalised labels in
/// their `xn--` Punycode form, no trailing dot) or a canonical IP address.
public enum HostName: Sendable, Hashable, CustomStringConvertible {
    case domain(String)
    case ip(IPAddress)

    public var description: String {
        switch self {
        case .domain(let name): return name
        case .ip(.v6(let high, let low)): return "[\(IPAddress.v6(high: high, low: low))]"
        case .ip(let address): return "\(address)"
        }
    }

    /// Longest host name accepted (DNS: 253 characters without the trailing dot).
    public static let maximumLength = 253
}
