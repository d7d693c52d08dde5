import SandboxTransport

/// Host names this node resolves itself before the system's resolver sees them: a file in the
/// format of `/etc/hosts` (`ADDRESS NAME [NAME...]`, `#` comments), given with `--hosts-file`.
/// It applies to the addresses this node dials — its peers' and the other nodes' HTTP addresses
/// — not to what it listens on or advertises. Meant for tests that run pods' DNS names on one
/// machine (the StatefulSet test maps `sandbox-K.sandbox-peers....` to `127.0.0.(K+1)`) and for
/// hosts without DNS; with TLS the certificate is still checked against the address dialled.
/// Pure.
public struct HostTable: Sendable, Hashable {
    /// Lower-cased name → address.
    public private(set) var addresses: [String: String] = [:]

    public init() {}

    /// Parses the file's text; the first line naming a host wins, as in `/etc/hosts`.
    public init(parsing text: String, source: String) throws(ConfigError) {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let address = fields.first else { continue }
            guard fields.count >= 2 else {
                throw .invalid("\(source):\(number + 1)", "expected ADDRESS NAME [NAME...], got `\(line)`")
            }
            for name in fields.dropFirst() where addresses[name.lowercased()] == nil {
                addresses[name.lowercased()] = String(address)
            }
        }
    }

    /// The address to dial for `address` (its host replaced when the table names it).
    public func dial(_ address: PeerAddress) -> PeerAddress {
        guard let mapped = addresses[address.host.lowercased()] else { return address }
        return PeerAddress(host: mapped, port: address.port)
    }

    /// The same for `host:port` text; text that is not an address is returned as it is.
    public func dial(_ address: String) -> String {
        guard !addresses.isEmpty, let parsed = try? PeerAddress(parsing: address) else { return address }
        return dial(parsed).description
    }
}
