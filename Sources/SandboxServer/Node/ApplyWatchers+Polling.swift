extension ApplyWatchers {
    /// A long poll: `read()` until it gives a value, waiting for a change of `key` between
    /// reads, for at most `timeout` (capped at ``maxWait``). Returns the value, or nil when the
    /// time ran out, the task was cancelled or the node is shutting down (answer the current
    /// state then). Throws ``Full`` when too many polls wait (on the node, or of `owner`), and
    /// what `read` throws.
    func poll<T>(_ key: WatchKey, owner: String? = nil, timeout: Duration, _ read: () async throws -> T?)
        async throws -> T?
    {
        let clock = ContinuousClock()
        let deadline = clock.now + min(timeout, Self.maxWait)
        while true {
            let ticket = try register(key, owner: owner)
            let value: T?
            do {
                value = try await read()
            } catch {
                cancel(ticket)
                throw error
            }
            if let value {
                cancel(ticket)
                return value
            }
            let left = deadline - clock.now
            guard left > .zero else {
                cancel(ticket)
                return nil
            }
            guard await wait(ticket, timeout: left) == .changed else { return nil }
        }
    }
}
