/// Every bound of the client in one place; the defaults suit an agent next to a 3-node cluster.
public struct SandboxClientOptions: Sendable, Hashable {
    /// How long one decision may take across all attempts and nodes; then it is denied with
    /// reason `sandbox unreachable` (fail closed).
    public var deadline: Duration = .seconds(10)
    /// How long one attempt on one node may take (cut to its share of what is left of the
    /// deadline: that time over the nodes still to try in the round); less than `deadline`.
    public var attemptTimeout: Duration = .seconds(3)
    /// Attempts per decision, over all nodes.
    public var maxAttempts = 12
    /// How long to try connecting to a node before moving on.
    public var connectTimeout: Duration = .seconds(1)
    /// A node that failed is asked last for this long, doubled with each consecutive failure up
    /// to 60 s, until it answers.
    public var nodeCooldown: Duration = .seconds(2)
    /// The first pause after every node failed once; doubled each round, at most `maxBackoff`.
    public var backoff: Duration = .milliseconds(50)
    public var maxBackoff: Duration = .seconds(1)
    /// The longest `Retry-After` honoured (a node asking for more rests this long): a node that
    /// answered 429 or 503 with it rests at least that long, and the pause after a round is at
    /// least the longest one given; always cut to what is left of the deadline.
    public var maxRetryAfter: Duration = .seconds(5)

    /// Keep the agent's signed policy in memory and deny locally what it denies statically
    /// (needs `policyPublicKeys`).
    public var cachesPolicy = true
    /// The long poll's wait for a new policy version (the server cuts it to 30 s).
    public var policyWait: Duration = .seconds(30)
    /// The pause after a failed or refused policy fetch; doubled up to `policyMaxBackoff`.
    public var policyBackoff: Duration = .milliseconds(500)
    public var policyMaxBackoff: Duration = .seconds(30)
    /// The lowest policy version accepted (as `sandboxctl policy verify --min-version`). Without
    /// `policyVersionFloorFile` the floor is held in memory only, so a new client accepts any
    /// verified version unless given the one the agent last ran with.
    public var minimumPolicyVersion: UInt64 = 0
    /// A file where the client keeps the highest policy version it verified, so that after a
    /// restart it refuses lower versions too (the floor is the higher of this file's version and
    /// `minimumPolicyVersion`). Written atomically when a higher version is accepted; a missing
    /// file starts at 0; one that cannot be read or is not the client's makes the client's
    /// creation fail (remove it knowingly to start over). One file per agent.
    public var policyVersionFloorFile: String?

    /// Local denials waiting to be reported; when full, the client asks the server instead of
    /// denying locally (so nothing is missing from the audit).
    public var denialQueueCapacity = 1_000
    /// Denials per report (the server takes 1 to 100).
    public var denialBatchSize = 100
    /// How often queued denials are sent.
    public var denialFlushInterval: Duration = .milliseconds(200)
    /// How long ``SandboxClient/close()`` keeps trying to report what is queued.
    public var closeDeadline: Duration = .seconds(5)
    /// Largest answer read from a node.
    public var maxResponseBytes = 4 << 20

    public init() {}

    func validate() throws(SandboxSDKError) {
        let positive: [(String, Duration)] = [
            ("deadline", deadline), ("attemptTimeout", attemptTimeout), ("connectTimeout", connectTimeout),
            ("policyWait", policyWait), ("denialFlushInterval", denialFlushInterval), ("backoff", backoff),
            ("maxBackoff", maxBackoff), ("policyBackoff", policyBackoff), ("policyMaxBackoff", policyMaxBackoff),
            ("nodeCooldown", nodeCooldown), ("closeDeadline", closeDeadline), ("maxRetryAfter", maxRetryAfter),
        ]
        for (name, value) in positive where value <= .zero || value > .seconds(86_400) {
            throw .invalidConfiguration("\(name) must be positive and at most a day, not \(value)")
        }
        guard attemptTimeout < deadline else {
            throw .invalidConfiguration(
                "attemptTimeout (\(attemptTimeout)) must be less than deadline (\(deadline)): another node must be askable"
            )
        }
        guard maxAttempts >= 1 else { throw .invalidConfiguration("maxAttempts must be at least 1") }
        guard (1...100).contains(denialBatchSize) else {
            throw .invalidConfiguration("denialBatchSize must be 1 to 100 (the server's limit)")
        }
        guard denialQueueCapacity >= 1, maxResponseBytes >= 64 << 10 else {
            throw .invalidConfiguration("denialQueueCapacity must be ≥ 1 and maxResponseBytes ≥ 64 KiB")
        }
    }
}
