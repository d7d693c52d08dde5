import Foundation
import JSON

extension ServerConfig {
    /// The values of a `--config` file: a JSON object whose keys are the flag names
    /// (`"node-id": 1`, `"peers": {"1": "10.0.0.1:7080", ...}` or `"1=...,2=..."`,
    /// `"bootstrap": true`); the environment and flags override them (docs/cluster.md).
    static func fileValues(_ path: String) throws(ConfigError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalid("--config \(path)", "cannot read the file")
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: Array(data), maxDepth: 4, maxBytes: 1 << 20) } catch {
            throw .invalid("--config \(path)", "not JSON: \(error)")
        }
        guard case .object(let members) = json else {
            throw .invalid("--config \(path)", "expected a JSON object whose keys are flag names")
        }
        var values: [String: String] = [:]
        for (key, value) in members {
            guard key != "config", options[key] != nil || switches.contains(key) else {
                throw .invalid(
                    "\(path): \(key)",
                    "unknown key (known: \(options.keys.filter { $0 != "config" }.sorted().joined(separator: ", ")))")
            }
            values[key] = try fileValue(value, key: key, path: path)
        }
        return values
    }

    private static func fileValue(_ value: JSONValue, key: String, path: String) throws(ConfigError) -> String {
        switch value {
        case .string(let text): return text
        case .number(let number): return number.description
        case .bool(let flag): return flag ? "true" : "false"
        case .object(let peers) where key == "peers":
            var parts: [String] = []
            for (id, address) in peers.sorted(by: { $0.key < $1.key }) {
                guard case .string(let text) = address else {
                    throw .invalid("\(path): peers.\(id)", "expected \"host:port\"")
                }
                parts.append("\(id)=\(text)")
            }
            return parts.joined(separator: ",")
        default:
            throw .invalid("\(path): \(key)", "expected a string, a number or a boolean")
        }
    }
}
