import Foundation

/// Keeps the cache current: `GET /v1/policies/{agent}?wait=` with the held version's `ETag` in
/// `If-None-Match`, so a node answers as soon as a new version is enforced (or 304 when the wait
/// ends: at most every 30 s without a change), over the nodes in turn. A refused bundle (bad
/// signature, older version, another agent's) is counted and ignored; after a failure the next
/// poll waits, doubling up to `policyMaxBackoff`.
struct PolicyRefresher: Sendable {
    let cache: PolicyCache
    let failover: Failover
    let agentID: String
    let apiKey: String
    let options: SandboxClientOptions
    /// The persisted version floor, raised with each version accepted (nil: in memory only).
    let floor: VersionFloor?

    /// One fetch: with `wait`, a long poll for a version newer than the one held. The snapshot
    /// held afterwards (nil: 304, nothing new), or why none could be had.
    func fetch(wait: Duration?) async -> Result<PolicySnapshot?, PolicyCacheError> {
        let etag = wait == nil ? nil : await cache.snapshot?.etag
        var path = policyPath(agentID)
        if let wait { path += "?wait=\(waitParameter(wait))" }
        var headers = ["X-Agent-Key": apiKey]
        if let etag { headers["If-None-Match"] = etag }
        let limit = (wait ?? .zero) + options.attemptTimeout
        let result = await failover.send(deadline: wait == nil ? nil : limit * 2, attemptTimeout: limit) {
            [headers, path] in
            TransportRequest(method: "GET", url: endpoint($0, path), headers: headers)
        }
        switch result {
        case .unreachable(let why): return .failure(.unavailable("no node answered: \(why)"))
        case .answer(let answer, _):
            switch answer.status {
            case 200:
                let offered = await cache.offer(answer.body, etag: answer.headers["etag"])
                if case .success(let held) = offered { await floor?.raise(to: held.version) }
                return offered.map { Optional($0) }
            case 304: return .success(nil)
            default: return .failure(.unavailable(WireError.describe(answer)))
            }
        }
    }

    /// Polls until cancelled.
    func run() async {
        var pause = options.policyBackoff
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let held = await cache.snapshot?.version
            switch await fetch(wait: options.policyWait) {
            case .success(let snapshot):
                pause = options.policyBackoff
                // A node that answers early with nothing new (a 304, or the version held: no long
                // poll) is not asked again at once.
                let early = SandboxClient.minimumPollInterval - (ContinuousClock.now - started)
                if snapshot == nil || snapshot?.version == held, early > .zero { try? await Task.sleep(for: early) }
            case .failure:
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, options.policyMaxBackoff)
            }
        }
    }
}
