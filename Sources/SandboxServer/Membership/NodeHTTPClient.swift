import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP calls from one node to another's API: forwarding an admin call to the leader, asking a
/// member for its progress. Bounded by a timeout; nil when the node does not answer.
///
/// The timeout is the session's (`timeoutIntervalForRequest`), one session per timeout: on
/// Linux, FoundationNetworking ignores a request's own `timeoutInterval` for a peer that accepts
/// the connection and never answers (a paused or overloaded node), and such a call took the
/// default session's 60 s instead of 1 or 2 — a membership add then waited on one stuck look at
/// its learner for a minute (`NodeHTTPClientTests`).
enum NodeHTTPClient {
    /// Through `config`: `https` when the cluster's API serves TLS (its certificate must then be
    /// trusted by the system's store), and the host dialled through `--hosts-file`. Cancelling
    /// the calling task cancels the request at once (nil): a pod stopping mid-join must know
    /// that no add of its own is still on its way before it removes itself.
    static func call(
        _ method: String, _ address: String, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:],
        timeout: Double, via config: ServerConfig
    ) async -> (status: Int, body: Data)? {
        guard let url = URL(string: "\(config.httpScheme)://\(config.hosts.dial(address))\(path)") else { return nil }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let running = Mutex<URLSessionDataTask?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let task = session(timeout: timeout).dataTask(with: request) { data, response, _ in
                    guard let data, let http = response as? HTTPURLResponse else {
                        return continuation.resume(returning: nil)
                    }
                    continuation.resume(returning: (http.statusCode, data))
                }
                running.withLock { $0 = task }
                task.resume()
                if Task.isCancelled { task.cancel() }  // cancelled before the task was stored
            }
        } onCancel: {
            running.withLock { $0?.cancel() }
        }
    }

    /// The callers use a handful of timeouts (1, 2, 90 s), so the sessions are kept, not made per call.
    private static let sessions = Mutex<[Double: URLSession]>([:])

    private static func session(timeout: Double) -> URLSession {
        sessions.withLock { sessions in
            if let session = sessions[timeout] { return session }
            let configuration = URLSessionConfiguration.default
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout
            let session = URLSession(configuration: configuration)
            sessions[timeout] = session
            return session
        }
    }
}
