import JSON
import SandboxPolicy
import SandboxState

/// Reads the console's pages share, bounded and confined to what the viewer may see: the
/// agents of its tenant (or all), recent audit records, an agent's policy document.
enum ConsoleData {
    /// Most agents a page lists.
    static let maxAgents = 100
    /// Most audit records a page scans (the newest of a time window).
    static let maxScannedRecords = 20_000

    /// Most agents a page reads past (other tenants') looking for the viewer's.
    static let maxScannedAgents = 100_000

    /// The agents the caller may see, in id order, at most ``maxAgents``, among the first
    /// ``maxScannedAgents`` of the cluster.
    static func agents(_ caller: Caller, _ node: SandboxNode) throws(APIError) -> [AgentRecord] {
        try node.readState { queries in
            var found: [AgentRecord] = []
            var after: [UInt8]? = nil
            let prefix = StateKeys.agentPrefix
            var scanned = 0
            while found.count < maxAgents, scanned < maxScannedAgents {
                let page = try queries.reader.scan(prefix: prefix, after: after, limit: 200)
                scanned += page.count
                for pair in page {
                    after = pair.key
                    let id = String(decoding: pair.key.dropFirst(prefix.count), as: UTF8.self)
                    guard let agent = try queries.agent(id), caller.tenant == nil || caller.tenant == agent.tenant
                    else { continue }
                    found.append(agent)
                }
                if page.count < 200 { break }
            }
            return Array(found.prefix(maxAgents))
        }
    }

    /// One audit record as the pages show it.
    struct Entry: Sendable {
        var sequence: UInt64
        var timeMillis: UInt64
        var body: JSONObject

        func string(_ name: String) -> String { body[name]?.stringValue ?? "" }
    }

    /// The records since `sinceMillis` that the caller may see (its tenant's), oldest first: the
    /// newest ``maxScannedRecords`` of the window at most. Up to 20,000 JSON decodes: run on the
    /// node's ``BlockingWork`` thread, never on the request's (503 `busy` when that is full).
    static func recentRecords(since sinceMillis: UInt64, _ caller: Caller, _ node: SandboxNode) async throws
        -> [Entry]
    {
        try await recentScan(since: sinceMillis, caller, node).entries
    }

    /// What a scan of recent records found, and whether it stopped at ``maxScannedRecords``
    /// before the window's start (then `oldestMillis` is the time it reached back to).
    struct Scan: Sendable {
        var entries: [Entry] = []
        var capped = false
        var oldestMillis: UInt64?
    }

    /// ``recentRecords(since:_:_:)`` with whether the cap cut the window short (pages say so).
    static func recentScan(since sinceMillis: UInt64, _ caller: Caller, _ node: SandboxNode) async throws -> Scan {
        let tenant = caller.tenant
        return try await node.blockingWork.run {
            try node.readState { queries in try scan(queries, since: sinceMillis, tenant: tenant) }
        }
    }

    private static func scan(_ queries: StateQueries, since sinceMillis: UInt64, tenant: String?) throws -> Scan {
        let first = try queries.firstAuditSequence(atOrAfterMillis: sinceMillis)
        let next = try queries.auditHead().nextSequence
        let start = max(first, next > UInt64(maxScannedRecords) ? next - UInt64(maxScannedRecords) : 1)
        var scan = Scan(capped: start > first)
        var after = start - 1
        while true {
            let page = try queries.auditRecords(fromSeconds: 0, toSeconds: .max / 1000 - 1, after: after, limit: 1000)
            for record in page {
                if scan.oldestMillis == nil { scan.oldestMillis = record.timeMillis }
                after = record.sequence
                guard case .object(let body)? = record.body else { continue }
                if let tenant, body["tenant"]?.stringValue != tenant { continue }
                scan.entries.append(Entry(sequence: record.sequence, timeMillis: record.timeMillis, body: body))
            }
            if page.count < 1000 { break }
        }
        return scan
    }

    /// The enforced policy of an agent as a document (nil without one, or if it does not read).
    static func enforcedDocument(_ agent: String, _ node: SandboxNode) throws(APIError) -> (
        PolicyVersionRecord, PolicyDocument
    )? {
        guard let record = try node.readState({ try $0.enforcedPolicy(agent) }),
            let document = try? PolicyDocument(yaml: record.yaml)
        else { return nil }
        return (record, document)
    }

    /// The tool in a decision record's request (`tool`), or `METHOD URL` for egress.
    static func requestSummary(_ body: JSONObject) -> String {
        guard let request = body["request"] else { return "" }
        if let tool = request.member("tool")?.stringValue { return tool }
        if let http = request.member("http") {
            return "\(http.member("method")?.stringValue ?? "GET") \(http.member("url")?.stringValue ?? "")"
        }
        return ""
    }
}
