extension SandboxClient {
    /// The verified policy the client holds (nil before the first bundle arrived, or with the
    /// cache off).
    public func policy() async -> PolicySnapshot? { await cache?.snapshot }

    /// Fetches the agent's bundle now (no long poll) and offers it to the cache: the snapshot
    /// held afterwards, or why the bundle was refused or none could be had. A node serving an
    /// older version than the one held (it has not caught up yet) is not an error: the held,
    /// newer snapshot is returned.
    public func refreshPolicy() async throws(PolicyCacheError) -> PolicySnapshot {
        guard let refresher, let cache else { throw .disabled }
        switch await refresher.fetch(wait: nil) {
        case .success(let snapshot):
            // Asks whether the cluster records local denials, so that they start with the policy.
            if await !reporter.supported { await reporter.flush(deadline: options.deadline) }
            if let snapshot { return snapshot }
            if let held = await cache.snapshot { return held }
            throw .unavailable("no policy bundle was served")
        case .failure(let error): throw error
        }
    }

    /// Bundles the cache refused so far (bad signature, below `minimumPolicyVersion`, another
    /// agent's...), and the last reason. Older versions than the one held are not counted here
    /// (see ``staleBundles()``).
    public func policyRefusals() async -> (count: Int, last: PolicyCacheError?) {
        guard let cache else { return (0, nil) }
        return (await cache.refusals, await cache.lastRefusal)
    }

    /// The persisted version floor (``SandboxClientOptions/policyVersionFloorFile``): the
    /// version stored, and why the last write failed (nil when it did not; the floor then holds
    /// in memory only). Nil without the option.
    public func policyVersionFloor() async -> (version: UInt64, writeError: String?)? {
        guard let floor = refresher?.floor else { return nil }
        return (await floor.stored, await floor.lastError)
    }

    /// Bundles older than the one held that nodes served (a node that has not caught up yet, or
    /// a replay): ignored, the newer policy kept.
    public func staleBundles() async -> Int { await cache?.stale ?? 0 }

    /// Local denials: queued for the audit, reported (a node recorded them), dropped (a node
    /// refused them for good).
    public func localDenials() async -> (pending: Int, reported: Int, dropped: Int) {
        (await reporter.pending, await reporter.reported, await reporter.dropped)
    }

    /// Whether the client denies locally now: it holds a verified policy and the cluster has
    /// shown that it records local denials (not before its first answer, nor for a minute after
    /// a node answered that it has no such route).
    public func deniesLocally() async -> Bool {
        guard await cache?.forLocalDenials != nil else { return false }
        return await reporter.supported
    }

    /// Reports the queued local denials now (at most `deadline`); true when none is left.
    @discardableResult
    public func flushLocalDenials(deadline: Duration = .seconds(10)) async -> Bool {
        await reporter.flush(deadline: deadline)
    }
}
