import JSON
import SandboxState
import Testing

/// The audit chain verifies, and any edit, deletion, reordering or insertion is detected and the
/// first bad record named — in the store and in an export.
@Suite struct AuditTests {
    let read: JSONValue = ["customer": "c-1", "fields": ["name"], "limit": 10]

    /// 20 decisions after the setup's identity and policy records.
    func populated() throws -> Harness {
        let h = try Harness()
        try h.agent("bot", policy: Policies.standard)
        for i in 0..<20 {
            h.timeMillis += 1_000
            _ = try h.decide("bot", "r\(i)", tool: i % 3 == 0 ? "prod_db.drop" : "crm.read", read, cost: "0.01")
        }
        return h
    }

    func export(_ h: Harness) throws -> [JSONValue] {
        var previous = AuditRecord.genesisHash
        return try h.queries.auditRecords(fromSeconds: 0, toSeconds: 9_999_999_999).map { record in
            defer { previous = record.hash }
            return record.exported(previousHash: previous)
        }
    }

    func verify(_ exported: [JSONValue]) -> AuditVerification { AuditVerifier.verify(exported: exported) }

    @Test func theChainVerifiesInTheStoreAndInAnExport() throws {
        let h = try populated()
        let stored = try h.queries.verifyAudit()
        #expect(stored.isValid)
        #expect(stored.checked == 23)
        #expect(verify(try export(h)).checked == 23)
        #expect(try h.queries.verifyAudit(from: 10, to: 15).checked == 6)
    }

    @Test func editsDeletionsReorderingsAndInsertionsInTheStoreAreLocated() throws {
        let h = try populated()
        let key = StateKeys.audit(10)
        let original = try #require(try h.storage.value(for: key))
        var flipped = original
        flipped[flipped.count - 5] ^= 0x20
        h.storage.tamper(key, flipped)
        #expect(try h.queries.verifyAudit().failure?.sequence == 10)
        h.storage.tamper(key, nil)
        #expect(try h.queries.verifyAudit().failure?.sequence == 10)
        #expect(try h.queries.verifyAudit().failure?.reason.contains("missing") == true)
        // Record 11 moved into 10's place.
        h.storage.tamper(key, try h.storage.value(for: StateKeys.audit(11)))
        #expect(try h.queries.verifyAudit().failure?.sequence == 10)
        h.storage.tamper(key, original)
        #expect(try h.queries.verifyAudit().isValid)
    }

    @Test func editsDeletionsReorderingsAndInsertionsInAnExportAreLocated() throws {
        let h = try populated()
        let exported = try export(h)
        // An edit of the outcome.
        var edited = exported
        guard case .object(var members) = edited[12] else { return }
        members["outcome"] = "allow"
        edited[12] = .object(members)
        #expect(verify(edited).failure?.sequence == 13)
        // A deletion.
        var deleted = exported
        deleted.remove(at: 7)
        #expect(verify(deleted).failure?.sequence == 8)
        // Two records swapped.
        var swapped = exported
        swapped.swapAt(4, 5)
        #expect(verify(swapped).failure?.sequence == 5)
        // A forged record inserted with its own hash recomputed: the next one's link breaks.
        var inserted = exported
        guard case .object(var forged) = exported[5] else { return }
        forged["reason"] = "forged"
        inserted.insert(.object(forged), at: 6)
        #expect(verify(inserted).failure?.sequence == 6)
        #expect(verify(exported).isValid)
    }

    @Test func exportPagesByTimeInSequenceOrder() throws {
        let h = try populated()
        let all = try h.queries.auditRecords(fromSeconds: 0, toSeconds: 9_999_999_999)
        #expect(all.map(\.sequence) == Array(1...23))
        let first = Harness.day0 / 1000
        // Decisions are one second apart from first+1 on: 5 of them in [first+5, first+9].
        let window = try h.queries.auditRecords(fromSeconds: first + 5, toSeconds: first + 9)
        #expect(window.count == 5)
        #expect(window.allSatisfy { $0.timeMillis >= (first + 5) * 1000 && $0.timeMillis <= (first + 9) * 1000 + 999 })
        var paged: [UInt64] = []
        var cursor: UInt64? = nil
        while true {
            let page = try h.queries.auditRecords(fromSeconds: 0, toSeconds: 9_999_999_999, after: cursor, limit: 4)
            guard let last = page.last else { break }
            paged += page.map(\.sequence)
            cursor = last.sequence
        }
        #expect(paged == Array(1...23))
        #expect(try h.queries.auditRecords(fromSeconds: first + 1000, toSeconds: first + 2000).isEmpty)
    }
}
