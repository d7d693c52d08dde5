import Raft

/// Where a peer listens: `host:port` (a name or an address; IPv6 in brackets).
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`.
    public init(parsing text: some StringProtocol) throws(PeerAddressError) {
        guard let colon = text.lastIndex(of: ":") else { throw .invalid(String(text), "expected host:port") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalid(String(text), "the host is empty") }
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw .invalid(String(text), "the port must be a number from 1 to 65535")
        }
        self.init(host: host, port: port)
    }

    /// Parses a peer list `1=host:port,2=host:port,...`.
    public static func parsePeers(_ text: String) throws(PeerAddressError) -> [NodeID: PeerAddress] {
        var peers: [NodeID: PeerAddress] = [:]
        for item in text.split(separator: ",") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let id = NodeID(parts[0]), id != 0 else {
                throw .invalid(String(item), "expected id=host:port with a node id above 0")
            }
            guard peers[id] == nil else { throw .invalid(String(item), "node \(id) is listed twice") }
            peers[id] = try PeerAddress(parsing: parts[1])
        }
        return peers
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A peer address or list that cannot be used.
public enum PeerAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let text, let why): return "peer address '\(text)': \(why)"
        }
    }
}
