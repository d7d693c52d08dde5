extension StateQueries {
    /// SHA-256 over every key and value in key order (each as u32 length and bytes): equal on two
    /// replicas at the same applied index exactly when their states are equal. It reads the whole
    /// state (O(size)): run it on a consistent view (a storage snapshot, or between applies), off
    /// the decision path.
    public func digest(pageSize: Int = 10_000) throws -> [UInt8] {
        var hasher = SHA256()
        var after: [UInt8]? = nil
        while true {
            let page = try reader.scan(prefix: [], after: after, limit: pageSize)
            for pair in page {
                var w = ByteWriter(capacity: 8 + pair.key.count)
                w.blob(pair.key)
                w.u32(UInt32(clamping: pair.value.count))
                hasher.update(w.bytes)
                hasher.update(pair.value)
            }
            guard page.count == pageSize, let last = page.last else { break }
            after = last.key
        }
        return hasher.finalize()
    }

    /// The digest kept by apply (``StateDigest``), as stored with the applied index: cheap (one
    /// read), so a status page can show it on every request.
    public func storedDigest() throws -> StateDigest? {
        try reader.value(for: StateKeys.digest).flatMap(StateDigest.init(bytes:))
    }

    /// The same digest computed from every stored pair (O(size)): the verification path for
    /// ``storedDigest()`` and ``StateMachine/digest``.
    public func recomputeDigest(pageSize: Int = 10_000) throws -> StateDigest {
        var digest = StateDigest()
        var after: [UInt8]? = nil
        while true {
            let page = try reader.scan(prefix: [], after: after, limit: pageSize)
            for pair in page where pair.key != StateKeys.digest { digest.add(key: pair.key, value: pair.value) }
            guard page.count == pageSize, let last = page.last else { break }
            after = last.key
        }
        return digest
    }
}
