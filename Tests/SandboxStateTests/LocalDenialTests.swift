import JSON
import SandboxState
import Testing

/// Denials an SDK decided locally: each becomes one `decision` record (`deny`, `decided_by:
/// "sdk"`, redacted like a decision's), once per (agent, request id) whatever the retries, and
/// never debits a budget.
@Suite struct LocalDenialTests {
    let email: JSONValue = ["recipient": "eve@evil.example", "subject": "hi"]

    func harness() throws -> Harness {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        return h
    }

    func report(_ ids: [String], agent: String = "bot", version: UInt32 = 1) -> Command {
        .reportLocalDenials(
            LocalDenialReport(
                agent: agent, node: 2,
                denials: ids.map { id in
                    LocalDenial(
                        requestID: id,
                        request: id.hasPrefix("h")
                            ? .http(method: "GET", url: "https://evil.example/x", bodyBytes: nil, chainDepth: nil)
                            : .tool(name: "prod_db.drop", parameters: email, chainDepth: 0, costUSD: nil),
                        rule: "tools.deny", reason: "tool `prod_db.drop` is denied", policyVersion: version)
                }))
    }

    func counts(_ result: EntryResult) -> (recorded: Int, duplicates: Int)? {
        guard case .applied(.localDenials(let recorded, let duplicates)) = result.outcome else { return nil }
        return (recorded, duplicates)
    }

    func records(_ h: Harness) throws -> [JSONObject] {
        try h.queries.auditRecords(fromSeconds: 0, toSeconds: 9_999_999_999).compactMap { record in
            guard case .object(let body)? = record.body, body["decided_by"] == "sdk" else { return nil }
            return body
        }
    }

    @Test func eachDenialIsOneRedactedDecisionRecordThatDebitsNothing() throws {
        let h = try harness()
        let result = try h.must(report(["t1", "h1"]))
        #expect(counts(result)?.recorded == 2 && counts(result)?.duplicates == 0)
        let bodies = try records(h)
        #expect(bodies.count == 2)
        let tool = try #require(bodies.first)
        #expect(tool["kind"] == "decision" && tool["outcome"] == "deny" && tool["agent"] == "bot")
        #expect(tool["rule"] == "tools.deny" && tool["tenant"] == "acme" && tool["node"] == 2)
        #expect(
            tool["policy_version"] == 1 && tool["request_id"] == "t1"
                && tool["time_ms"] == .number(JSONNumber(Int64(h.timeMillis))))
        let params = tool["request"].flatMap { if case .object(let m) = $0 { m["params"] } else { nil } }
        #expect(
            params == ["recipient": "[REDACTED:EMAIL]", "subject": "hi"], "redacted by the policy's logging.redact")
        #expect(bodies[1]["request"] == ["http": ["method": "GET", "url": "https://evil.example/x"]])
        #expect(try h.queries.budget(of: "bot")?.requests == 0)
        #expect(try h.queries.verifyAudit().isValid)
    }

    @Test func aRetriedReportIsRecordedOnce() throws {
        let h = try harness()
        try h.must(report(["t1", "t2"]))
        h.timeMillis += 5_000
        for _ in 0..<3 {
            let again = try h.must(report(["t1", "t2", "t3"]))
            #expect(counts(again)?.recorded ?? 0 <= 1)
        }
        #expect(try records(h).map { $0["request_id"] } == ["t1", "t2", "t3"])
        let repeated = try h.must(report(["t4", "t4"]))
        #expect(counts(repeated)?.recorded == 1 && counts(repeated)?.duplicates == 1, "the same id twice in a report")
    }

    @Test func requestIDsAreSharedWithDecisions() throws {
        let h = try harness()
        let read: JSONValue = ["customer": "c-1", "fields": ["name"], "limit": 10]
        let decided = try h.decide("bot", "d1", tool: "crm.read", read)
        #expect(decided.outcome == .allow)
        #expect(counts(try h.must(report(["d1"])))?.duplicates == 1, "a decided request id is not reported again")
        try h.must(report(["t1"]))
        let replay = try h.decide("bot", "t1", tool: "crm.read", read)
        #expect(replay.replayed && replay.outcome == .deny && replay.rule == "tools.deny")
        #expect(try h.queries.budget(of: "bot")?.requests == 1)
    }

    @Test func anUnknownAgentOrVersionIsHandledAndNothingChangesOnRefusal() throws {
        let h = try harness()
        let before = try h.queries.auditHead().nextSequence
        #expect(try h.apply(report(["t1"], agent: "ghost")).error == .unknownAgent("ghost"))
        #expect(try h.queries.auditHead().nextSequence == before)
        // A version the state does not have (the SDK's claim) still records, redacted by the enforced one.
        try h.must(report(["t2"], version: 9))
        #expect(try records(h).first?["policy_version"] == 9)
    }

    @Test func theDecoderBoundsTheReport() throws {
        let h = try harness()
        let empty = Command.reportLocalDenials(LocalDenialReport(agent: "bot", node: 1, denials: []))
        #expect(try h.apply(empty).error != nil)
        var limits = StateLimits()
        limits.maxLocalDenialsPerReport = 2
        let bytes = CommandEnvelope.encode(report(["a", "b", "c"]))
        #expect(throws: DecodingError.self) { try CommandEnvelope.decode(bytes, limits: limits) }
    }
}
