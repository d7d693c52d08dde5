import JSON
import SandboxState
import SandboxStateStore
import SandboxStorage
import TestSupport
import Testing

@Suite struct RocksStorageTests {
    let directory = TemporaryDirectory("state-rocks")

    /// The same commands through RocksDB and in memory give the same answers and the same digest,
    /// and a restarted node (store reopened, machine rebuilt from it) continues the same way.
    @Test func theRocksDBStateMatchesTheMemoryStateAcrossARestart() throws {
        let memory = try Harness()
        try memory.agent("bot", policy: Policies.standard)
        for i in 0..<6 { _ = try memory.decide("bot", "r\(i)", tool: "crm.read", Self.read, cost: "0.2") }
        let entries = memory.log

        var storage = try NodeStorage(path: directory.path, options: .small)
        var machine = try StateMachine(storage: RocksStateStorage(storage.state))
        let split = entries.count / 2
        let first = try machine.apply(Array(entries[..<split]))
        storage.close()

        storage = try NodeStorage(path: directory.path, options: .small)
        let rocks = RocksStateStorage(storage.state)
        machine = try StateMachine(storage: rocks)
        #expect(machine.appliedIndex == entries[split - 1].index)
        let second = try machine.apply(Array(entries[split...]))
        let answers = (first + second).compactMap(\.decision).map(\.outcome)
        #expect(answers == [.allow, .allow, .allow, .allow, .allow, .deny])
        #expect(try StateQueries(rocks).digest() == memory.queries.digest())
        #expect(machine.digest == memory.machine.digest)
        #expect(try StateQueries(rocks).recomputeDigest() == machine.digest)
        #expect(try StateQueries(rocks).budget(of: "bot")?.microdollars == 1_000_000)
        #expect(try StateQueries(rocks).verifyAudit().isValid)
        #expect(try StateQueries(rocks).agent(byKeyHash: Harness.keyHash("bot"))?.id == "bot")
        storage.close()
    }

    static let read: JSONValue = ["customer": "c-1", "fields": ["name"], "limit": 10]
}
