extension SandboxClient {
    /// The verified policy the client holds (nil before the first bundle arrived, or with the
    /// cache off).
    public func policy() async -> PolicySnapshot? { await cache?.snapshot }

    /// Fetches the agent's bundle now (no long poll) and offers it to the cache: the snapshot
    /// held afterwards, or why the bundle was refused or none could be had.
    public func refreshPolicy() async throws(PolicyCacheError) -> PolicySnapshot {
        guard let refresher, let cache else { throw .disabled }
        switch await refresher.fetch(wait: nil) {
        case .success(let snapshot):
            if let snapshot { return snapshot }
            if let held = await cache.snapshot { return held }
            throw .unavailable("no policy bundle was served")
        case .failure(let error): throw error
        }
    }

    /// Bundles the cache refused so far (bad signature, older version, another agent's...), and
    /// the last reason.
    public func policyRefusals() async -> (count: Int, last: PolicyCacheError?) {
        guard let cache else { return (0, nil) }
        return (await cache.refusals, await cache.lastRefusal)
    }

    /// Local denials: queued for the audit, reported (a node recorded them, or decided them
    /// itself: a node without the report route), dropped (a node refused them for good).
    public func localDenials() async -> (pending: Int, reported: Int, dropped: Int) {
        (await reporter.pending, await reporter.reported + reporter.decidedInstead, await reporter.dropped)
    }

    /// Reports the queued local denials now (at most `deadline`); true when none is left.
    @discardableResult
    public func flushLocalDenials(deadline: Duration = .seconds(10)) async -> Bool {
        await reporter.flush(deadline: deadline)
    }
}
