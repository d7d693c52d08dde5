import Synchronization

/// The dashboard's last hour for one audience (all tenants, or one): decisions per minute and
/// denials by rule, from the audit (``ConsoleData/recentRecords(since:_:_:)``, off the request
/// threads). Kept ``maxAgeMillis`` per node and audience, so that reloads and many open
/// dashboards do not decode the same 20,000 records again: the chart may be that much old.
struct HourActivity: Sendable {
    var chart = ActivityChart()
    var reasons: [String: Int] = [:]

    static let maxAgeMillis: UInt64 = 5_000
    /// Most audiences kept (a tenant each); past it the cache starts over.
    static let maxKept = 256

    private static let kept = Mutex<[String: (atMillis: UInt64, activity: HourActivity)]>([:])

    static func of(_ caller: Caller, _ node: SandboxNode, nowMillis now: UInt64) async throws -> HourActivity {
        let key = "\(ObjectIdentifier(node).hashValue)/\(caller.tenant.map { "t:\($0)" } ?? "*")"
        if let hit = kept.withLock({ $0[key] }), now >= hit.atMillis, now - hit.atMillis < maxAgeMillis {
            return hit.activity
        }
        var activity = HourActivity()
        for entry in try await ConsoleData.recentRecords(since: now &- 3_600_000, caller, node)
        where entry.string("kind") == "decision" {
            let denied = entry.string("outcome") == "deny"
            activity.chart.count(atMillis: entry.timeMillis, nowMillis: now, denied: denied)
            if denied { activity.reasons[entry.string("rule"), default: 0] += 1 }
        }
        kept.withLock { kept in
            if kept.count >= maxKept { kept.removeAll() }
            kept[key] = (now, activity)
        }
        return activity
    }
}
