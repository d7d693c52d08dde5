import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP calls from one node to another's API: forwarding an admin call to the leader, asking a
/// member for its progress. Bounded by a timeout; nil when the node does not answer.
enum NodeHTTPClient {
    /// Through `config`: `https` when the cluster's API serves TLS (its certificate must then be
    /// trusted by the system's store), and the host dialled through `--hosts-file`.
    static func call(
        _ method: String, _ address: String, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:],
        timeout: Double, via config: ServerConfig
    ) async -> (status: Int, body: Data)? {
        guard let url = URL(string: "\(config.httpScheme)://\(config.hosts.dial(address))\(path)") else { return nil }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            let http = response as? HTTPURLResponse
        else { return nil }
        return (http.statusCode, data)
    }
}
