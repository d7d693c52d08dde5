import JSON
import SandboxState
import Testing

/// `endSessions` (a console logout) counts up the principal's session generation for that
/// kind only, and is audited.
@Suite struct SessionGenerationTests {
    @Test func endingSessionsCountsUpPerPrincipalAndKind() throws {
        let h = try Harness()
        #expect(try h.queries.sessionGeneration(of: "ann", kind: 1) == 0)
        try h.must(.endSessions(principal: "ann", kind: 1, actor: "ann"))
        try h.must(.endSessions(principal: "ann", kind: 1, actor: "ann"))
        try h.must(.endSessions(principal: "ann", kind: 3, actor: "ann"))
        #expect(try h.queries.sessionGeneration(of: "ann", kind: 1) == 2)
        #expect(try h.queries.sessionGeneration(of: "ann", kind: 3) == 1)
        #expect(try h.queries.sessionGeneration(of: "bob", kind: 1) == 0)
        let records = try h.queries.auditRecords(fromSeconds: 0, toSeconds: .max / 1000)
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0.body?["action"] == .string("end_sessions") }, "\(records)")
    }
}
