import Foundation

extension ServerConfig {
    /// `--dev`: node 1 of a one-node cluster it bootstraps, HTTP on 127.0.0.1:8080 (the MVP's
    /// address) and a new temporary data directory unless given. Tokenless calls are accepted
    /// from loopback only, so any other HTTP bind address is refused.
    static func devValues(_ given: [String: String]) throws(ConfigError) -> [String: String] {
        for conflicting in ["statefulset", "join", "peers"] where given[conflicting] != nil {
            throw .invalid("--dev", "conflicts with --\(conflicting) (--dev runs one node alone)")
        }
        var values = given
        values["node-id"] = values["node-id"] ?? "1"
        values["bootstrap"] = "true"
        if values["data-dir"] == nil {
            let name = "sandboxd-dev-\(UInt64.random(in: 0 ... .max))"
            values["data-dir"] = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(name).path
        }
        return values
    }

    /// Refuses a `--dev` node whose HTTP or peer address is not loopback.
    func checkDevBinding() throws(ConfigError) {
        for (flag, address) in [("--http", httpAddress), ("--peer-listen", peerAddress)]
        where !["127.0.0.1", "localhost", "::1"].contains(address.host) {
            throw .invalid(
                "--dev",
                "serves tokenless admin calls, so it binds loopback only (got \(flag) \(address)); "
                    + "drop --dev to serve other addresses with tokens")
        }
    }
}
