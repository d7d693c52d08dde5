import Raft
import SandboxState
import Testing

/// The apply rules gate (`RulesVersion`): the cluster moves to newer rules through a log
/// entry; a build too old for them stops applying rather than diverging.
@Suite struct RulesVersionTests {
    @Test func encodesAndRefusesVersionZero() throws {
        let command = Command.setRulesVersion(version: 7, actor: "cluster")
        let bytes = CommandEnvelope.encode(command, timeMillis: 3)
        #expect(try CommandEnvelope.decode(bytes).command == command)
        let zero = CommandEnvelope.encode(.setRulesVersion(version: 0, actor: "cluster"))
        #expect(throws: DecodingError.self) { try CommandEnvelope.decode(zero) }
    }

    @Test func aFreshStateRunsTheFirstRulesAndVersionsOnlyGrow() throws {
        let h = try Harness(supportedRulesVersion: 3)
        #expect(h.machine.rulesVersion == 1)
        #expect(try h.queries.rulesVersion() == 1)
        let same = try h.apply(.setRulesVersion(version: 1, actor: "cluster"))
        #expect(same.error == .rulesVersionNotHigher(asked: 1, current: 1))
        try h.must(.setRulesVersion(version: 3, actor: "cluster"))
        #expect(h.machine.rulesVersion == 3)
        #expect(try h.queries.rulesVersion() == 3)
        let lower = try h.apply(.setRulesVersion(version: 2, actor: "cluster"))
        #expect(lower.error == .rulesVersionNotHigher(asked: 2, current: 3))
        // Kept across a restart (a new machine on the same store).
        let restarted = try StateMachine(storage: h.storage, supportedRulesVersion: 3)
        #expect(restarted.rulesVersion == 3)
    }

    @Test func aBuildTooOldStopsApplyingAndKeepsNothingOfTheBatch() throws {
        let old = try Harness(supportedRulesVersion: 1)
        try old.must(.createTenant(id: "acme", name: "Acme", actor: "admin"))
        let applied = old.machine.appliedIndex
        let digest = try old.queries.digest()
        let batch = [
            old.entry(.createTenant(id: "beta", name: "Beta", actor: "admin")),
            old.entry(.setRulesVersion(version: 2, actor: "cluster")),
            old.entry(.createTenant(id: "gamma", name: "Gamma", actor: "admin")),
        ]
        #expect(throws: RulesVersionUnsupported.self) { try old.machine.apply(batch) }
        #expect(old.machine.appliedIndex == applied)
        #expect(old.machine.rulesVersion == 1)
        #expect(try old.queries.digest() == digest)
        #expect(try old.queries.tenant("beta") == nil)
        // Upgraded (a build with version 2 on the same store), it applies the same entries and
        // agrees with a node that ran the new build all along.
        let upgraded = try StateMachine(storage: old.storage, supportedRulesVersion: 2)
        _ = try upgraded.apply(batch)
        let fresh = try Harness(supportedRulesVersion: 2)
        try fresh.must(.createTenant(id: "acme", name: "Acme", actor: "admin"))
        _ = try fresh.machine.apply(batch)
        #expect(upgraded.rulesVersion == 2)
        #expect(try StateQueries(old.storage).digest() == fresh.queries.digest())
        #expect(try StateQueries(old.storage).tenant("gamma") != nil)
    }

    @Test func aStateAlreadyOnNewerRulesIsNotOpenedByAnOlderBuild() throws {
        // A node on an old build that installs a snapshot taken after the move never sees the
        // entry itself: opening the state must stop it just the same.
        let new = try Harness(supportedRulesVersion: 3)
        try new.must(.setRulesVersion(version: 3, actor: "cluster"))
        #expect(throws: RulesVersionUnsupported.self) {
            try StateMachine(storage: new.storage, supportedRulesVersion: 2)
        }
        let installed = MemoryStateStorage(copying: new.storage)  // what a snapshot carries
        #expect(throws: RulesVersionUnsupported.self) { try StateMachine(storage: installed, supportedRulesVersion: 2) }
        #expect(try StateMachine(storage: installed, supportedRulesVersion: 3).rulesVersion == 3)
    }

    /// What a fixed stream of entries leaves (the state digest) under each rules version. A
    /// new build must apply an older version's entries exactly as the older build did, or
    /// nodes of the two builds diverge during a rolling upgrade. This test fails when apply's
    /// output changes — a rule, a reason or message text, the policy engine, the schema
    /// validator, the YAML parser, a record's encoding, a default limit, a key: then raise
    /// `RulesVersion.supported`, keep the old behaviour below the new version, and add the new
    /// version's digest here; the old versions' digests never change.
    static let fingerprints: [UInt32: String] = [
        1: "d08037fa0f838b51801da7cc3322733c25f8ec107377ccc5385d8cc02f4f590a",
        2: "c7402c5272a336d24805ba739222e27d10af472659935786c1b1765f88c7386d",
        3: "c9b16c953579e0bee054c42513cb0742c6fff464f96326b94a77fb82568fdcce",
    ]

    @Test func aFixedStreamLeavesTheRecordedDigestUnderEveryVersion() throws {
        for version in RulesVersion.initial...RulesVersion.supported {
            var entries = DeterminismTests.entries(seed: 2026)
            if version > RulesVersion.initial {
                let move = CommandEnvelope.encode(.setRulesVersion(version: version, actor: "cluster"))
                entries =
                    [Entry(term: 1, index: 1, data: move)]
                    + entries.map { Entry(term: $0.term, index: $0.index + 1, data: $0.data) }
            }
            let digest = try DeterminismTests.run(entries, batches: [64]).digest
            let hex = digest.map {
                String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
            }
            .joined()
            #expect(
                hex == Self.fingerprints[version],
                "rules version \(version): apply's output changed (digest \(hex)); see the comment on `fingerprints`")
        }
    }

    @Test func theMessageTellsTheOperatorWhatToDo() {
        let error = RulesVersionUnsupported(asked: 4, supported: 3)
        #expect(error.description.contains("rules version 4"))
        #expect(error.description.contains("up to 3"))
        #expect(error.description.contains("upgrade"))
    }
}
