import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP calls from one node to another's API: forwarding an admin call to the leader, asking a
/// member for its progress. Bounded by a timeout; nil when the node does not answer.
///
/// The bound is kept here, not left to URLSession: on Linux, FoundationNetworking ignored a
/// request's own `timeoutInterval` for a peer that accepts the connection and never answers (a
/// paused or overloaded node: 60 s, the session's default, instead of 1 or 2), and even with the
/// session's timeout set some calls of the chaos runs' membership adds still waited over a
/// minute. So each call is a data task that a timer cancels, and the caller is answered by
/// whichever comes first (`NodeHTTPClientTests`).
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
        let running = Mutex<(task: URLSessionDataTask, answer: AnswerOnce)?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = AnswerOnce(continuation)
                let task = session(timeout: timeout).dataTask(with: request) { data, response, _ in
                    guard let data, let http = response as? HTTPURLResponse else { return answer.resume(nil) }
                    answer.resume((http.statusCode, data))
                }
                running.withLock { $0 = (task, answer) }
                task.resume()
                if Task.isCancelled {  // cancelled before the task was stored
                    answer.resume(nil)
                    task.cancel()
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                    answer.resume(nil)
                    task.cancel()
                }
            }
        } onCancel: {
            running.withLock { running in
                running?.answer.resume(nil)
                running?.task.cancel()
            }
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
