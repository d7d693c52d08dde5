import Foundation
import JSON
import SandboxPolicy
import SandboxSigning

/// The client an agent embeds: asks the Agent Sandbox cluster before every tool call and HTTP
/// request, and answers with a ``Decision``.
///
/// - Failover: each request starts at the next node in turn; a retryable failure (no
///   connection, no answer in time, 503, 429, another 5xx) is asked again of the next node with
///   the same request id (`Idempotency-Key`), so the cluster decides it once and debits once; a
///   definite answer is never asked again. Attempts and time are bounded
///   (``SandboxClientOptions``); when no node answers within the deadline the decision is
///   `deny` with reason `sandbox unreachable` (fail closed).
/// - Policy cache (with `policyPublicKeys`): the agent's signed policy bundle, verified with
///   those keys (a bad signature, another agent's bundle, or a version lower than one held is
///   refused), refreshed by long poll. What it denies whatever the state (a denied or unknown
///   tool, parameters failing the schema, egress outside the allow list) is denied locally,
///   without a round trip, and reported to the audit in the background (batched, at least once,
///   recorded once per request id); everything else is asked of the cluster.
///
/// Call ``close()`` when done: it stops the long poll and reports what is still queued.
public actor SandboxClient {
    public nonisolated let agentID: String
    let apiKey: String
    let options: SandboxClientOptions
    let failover: Failover
    let cache: PolicyCache?
    let refresher: PolicyRefresher?
    let reporter: DenialReporter
    private let refreshTask: Task<Void, Never>?
    private let reportTask: Task<Void, Never>
    private var closed = false

    /// - Parameters:
    ///   - endpoints: the nodes' base URLs (`http://10.0.0.1:8080`), any of them, in any order.
    ///   - policyPublicKeys: the cluster's policy-signing public keys (base64 of the 32 raw
    ///     bytes, or PEM; `GET /v1/keys` lists them): with at least one, the client caches the
    ///     agent's verified policy and denies locally what it denies statically.
    ///   - transport: how to talk HTTP (default: async-http-client). The client owns it and
    ///     shuts it down in ``close()``.
    public init(
        endpoints: [URL], agentID: String, apiKey: String, policyPublicKeys: [String] = [],
        options: SandboxClientOptions = SandboxClientOptions(), transport: (any HTTPTransport)? = nil
    ) throws(SandboxSDKError) {
        try Self.validate(endpoints: endpoints, agentID: agentID, apiKey: apiKey)
        try options.validate()
        var keys: [VerificationKey] = []
        for text in policyPublicKeys {
            do { keys.append(try VerificationKey(text: text)) } catch {
                throw .invalidConfiguration("policy public key: \(error)")
            }
        }
        self.agentID = agentID
        self.apiKey = apiKey
        self.options = options
        let transport =
            transport
            ?? AsyncHTTPTransport(connectTimeout: options.connectTimeout, maxResponseBytes: options.maxResponseBytes)
        failover = Failover(
            ring: NodeRing(nodes: endpoints, cooldown: options.nodeCooldown), transport: transport, options: options)
        let reporter = DenialReporter(
            failover: failover, apiKey: apiKey, capacity: options.denialQueueCapacity,
            batchSize: options.denialBatchSize, probes: options.cachesPolicy && !keys.isEmpty)
        self.reporter = reporter
        reportTask = Task { [options] in
            await reporter.run(every: options.denialFlushInterval, deadline: options.deadline)
        }
        if options.cachesPolicy, !keys.isEmpty {
            let floor = try Self.floor(options.policyVersionFloorFile, agentID: agentID)
            let cache = PolicyCache(
                agentID: agentID, keys: keys, minimumVersion: max(options.minimumPolicyVersion, floor.stored))
            let refresher = PolicyRefresher(
                cache: cache, failover: failover, agentID: agentID, apiKey: apiKey, options: options, floor: floor.actor
            )
            self.cache = cache
            self.refresher = refresher
            refreshTask = Task { await refresher.run() }
        } else {
            guard options.policyVersionFloorFile == nil else {
                throw .invalidConfiguration("policyVersionFloorFile needs the policy cache: give policyPublicKeys")
            }
            cache = nil
            refresher = nil
            refreshTask = nil
        }
    }

    /// The persisted version floor: the file's version (0 without a file) and the actor that
    /// raises it; a file that cannot be read refuses the configuration.
    private static func floor(_ path: String?, agentID: String) throws(SandboxSDKError) -> (
        stored: UInt64, actor: VersionFloor?
    ) {
        guard let path else { return (0, nil) }
        let file = VersionFloorFile(path: path, agentID: agentID)
        do {
            let stored = try file.read()
            return (stored, VersionFloor(file: file, stored: stored))
        } catch { throw .invalidConfiguration("\(error)") }
    }

    deinit {
        refreshTask?.cancel()
        reportTask.cancel()
    }

    private static func validate(endpoints: [URL], agentID: String, apiKey: String) throws(SandboxSDKError) {
        guard !endpoints.isEmpty else { throw .invalidConfiguration("give at least one endpoint (a node's URL)") }
        for url in endpoints where !["http", "https"].contains(url.scheme?.lowercased() ?? "") || url.host == nil {
            throw .invalidConfiguration("endpoint `\(url)` is not an http:// or https:// URL with a host")
        }
        guard !agentID.isEmpty, agentID.utf8.count <= 128,
            !agentID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw .invalidConfiguration("agentID must be 1 to 128 bytes without control characters")
        }
        for url in endpoints where URL(string: url.absoluteString + policyPath(agentID) + "?wait=1ms") == nil {
            throw .invalidConfiguration("endpoint `\(url)` cannot be followed by an API path")
        }
        guard !apiKey.isEmpty else { throw .invalidConfiguration("apiKey is empty: give the agent's key") }
    }

    /// A fresh request id (a random UUID): one per decision, kept across its retries.
    public nonisolated static func newRequestID() -> String { UUID().uuidString.lowercased() }

    /// Stops the policy long poll, reports the local denials still queued (for at most
    /// `closeDeadline`, also when the calling task is cancelled: a service stopping on SIGTERM),
    /// and releases the transport. Afterwards every decision is a `deny`. How many local denials
    /// did not reach the audit (0 normally; see ``localDenials()``).
    @discardableResult
    public func close() async -> Int {
        guard !closed else { return await reporter.pending }
        closed = true
        await reporter.stopQueueing()
        refreshTask?.cancel()
        reportTask.cancel()
        await reportTask.value
        // An unstructured task does not inherit the caller's cancellation (the failover sends
        // nothing from a cancelled task).
        let (reporter, deadline) = (reporter, options.closeDeadline)
        _ = await Task { await reporter.flush(deadline: deadline) }.value
        // The long poll in flight is not awaited: shutting the transport down ends it.
        await failover.transport.shutdown()
        return await reporter.pending
    }

    var isClosed: Bool { closed }
}
