extension StateQueries {
    /// Up to `limit` approvals whose stored status is `status`, newest (highest id) first, with
    /// ids below `before` (a cursor; nil: from the newest); with `tenant`, from that tenant's
    /// index. The mirror of ``approvals(status:tenant:after:limit:)`` for pages that show the
    /// latest first (the console's history).
    public func newestApprovals(status: ApprovalStatus, tenant: String? = nil, before: UInt64? = nil, limit: Int = 100)
        throws -> [ApprovalRecord]
    {
        let prefix = tenant.map { StateKeys.tenantApprovals($0, status) } ?? StateKeys.approvalsWithStatus(status)
        return try newestIDs(under: prefix, before: before ?? .max, limit: limit).compactMap { try approval($0) }
    }

    /// The highest `limit` ids below `before` in an index whose keys are `prefix` + a big-endian
    /// UInt64, highest first. The storage scans only forward, so this reads windows of ids
    /// `[low, high)` backwards from the highest id (found by bisection with one-key scans): a
    /// window with too few ids doubles the next, one with more ids than a bounded scan holds is
    /// halved. Each scan reads at most `max(4 × limit, 64) + 1` keys; their number grows with
    /// the log of the id range (measured in NewestQueryTests).
    func newestIDs(under prefix: [UInt8], before: UInt64, limit: Int) throws -> [UInt64] {
        guard limit > 0, let top = try highestID(under: prefix, below: before) else { return [] }
        var found: [UInt64] = []
        var high = top + 1
        var span = UInt64(limit) * 2
        while found.count < limit, high > 0 {
            let need = limit - found.count
            let cap = max(4 * need, 64)
            let low = high > span ? high - span : 0
            let ids = try idsFrom(low, under: prefix, limit: cap + 1).prefix { $0 < high }
            if ids.count > cap {
                span = (high - low) / 2  // too dense for one scan: its upper half first
                continue
            }
            found.append(contentsOf: ids.reversed().prefix(need))
            if ids.count < need { span = span > .max / 2 ? .max : span * 2 }
            high = low
        }
        return found
    }

    /// The ids at or after `low`, in order, at most `limit`.
    private func idsFrom(_ low: UInt64, under prefix: [UInt8], limit: Int) throws -> [UInt64] {
        let start = low == 0 ? nil : prefix + StateKeys.bigEndian(low - 1)
        return try reader.scan(prefix: prefix, after: start, limit: limit).map {
            StateKeys.readBigEndian($0.key.dropFirst(prefix.count))
        }
    }

    /// The highest id below `high`, or nil: bisection with one-key scans (at most 65).
    private func highestID(under prefix: [UInt8], below high: UInt64) throws -> UInt64? {
        guard let first = try idsFrom(0, under: prefix, limit: 1).first, first < high else { return nil }
        var low = first  // an id below `high`; none is in [upper, high)
        var upper = high
        while upper - low > 1 {
            let middle = low + (upper - low) / 2
            if let id = try idsFrom(middle, under: prefix, limit: 1).first, id < upper {
                low = id
            } else {
                upper = middle
            }
        }
        return low
    }
}
