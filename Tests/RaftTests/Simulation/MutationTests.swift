@_spi(Testing) import Raft
@_spi(Testing) import RaftSimulation
import Testing

/// The checker has teeth: each deliberately broken core (or runtime) is caught, over a bounded
/// range of seeds, by the property it breaks — not by just any check. Rates over 2,000 seeds
/// for 3, 5 and 7 voters are in docs/raft.md ("Mutation tests").
@Suite struct MutationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The properties this mutation breaks (a mutation may break more than one).
        var expected: Set<Violation.Property>
        /// Seeds caught by an expected property that the search must find.
        var catches: Int
        /// The search gives up after this many seeds.
        var bound: UInt64 = 2000

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "vote-without-log-check", expected: [.leaderCompleteness, .committedEntryKept], catches: 5),
        Case(
            name: "commit-earlier-term-by-counting",
            expected: [.leaderCompleteness, .stateMachineSafety, .committedEntryKept], catches: 1),
        Case(
            name: "keep-conflicting-suffix", expected: [.stateMachineSafety, .logMatching, .committedEntryKept],
            catches: 5),
        Case(name: "read-index-without-quorum", expected: [.linearizableReads], catches: 5),
        Case(name: "send-before-persist", expected: [.durability], catches: 5),
        Case(
            name: "quorum-too-small", expected: [.electionSafety, .committedEntryKept, .leaderCompleteness], catches: 5),
        // A second vote in a term is caught as a vote the sender no longer holds durably (its
        // stored vote is the newer one), or as two leaders of the term.
        Case(name: "vote-twice-in-term", expected: [.electionSafety, .durability], catches: 5),
        Case(name: "commit-unverified-entries", expected: [.stateMachineSafety, .committedEntryKept], catches: 5),
        Case(
            name: "accept-append-from-older-term",
            expected: [.committedEntryKept, .ownTermEntryKept, .stateMachineSafety], catches: 5),
        Case(name: "leader-ignores-check-quorum", expected: [.availability], catches: 5),
        Case(name: "runtime-sends-before-persist", expected: [.durability], catches: 5),
        Case(name: "heartbeat-vouches-unpersisted", expected: [.durability], catches: 5),
        // An entry applied before the write that persists it is lost in a crash between the two,
        // and the applied index stored with its effects is then beyond the log: the node cannot
        // restart.
        Case(name: "runtime-applies-before-persist", expected: [.runtime], catches: 5),
    ]

    @Test func everyMutationHasACase() {
        #expect(Set(Mutations.all.map(\.name)) == Set(Self.cases.map(\.name)))
    }

    @Test(arguments: MutationTests.cases)
    func simulatorCatchesMutation(_ mutationCase: Case) async throws {
        let mutation = try #require(Mutations(named: mutationCase.name))
        var options = SimulationOptions()
        options.mutations = mutation
        var byProperty: [Violation.Property: Int] = [:]
        var caught = 0
        var low: UInt64 = 1
        while caught < mutationCase.catches && low <= mutationCase.bound {
            let high = min(low + 63, mutationCase.bound)
            let reports = await SeedRunner.run(seeds: low...high, options: options, parallelism: 2)
            for report in reports {
                guard let violation = report.violation else { continue }
                byProperty[violation.property, default: 0] += 1
                if mutationCase.expected.contains(violation.property) { caught += 1 }
            }
            low = high + 1
        }
        let seen = byProperty.map { "\($0.key.rawValue): \($0.value)" }.sorted().joined(separator: ", ")
        #expect(
            caught >= mutationCase.catches,
            "\(mutationCase.name): \(caught) seeds caught by \(mutationCase.expected.map(\.rawValue)) in \(low - 1) seeds (all findings: \(seen))"
        )
        // The expected property is the one violated: most findings name it.
        let total = byProperty.values.reduce(0, +)
        #expect(caught * 2 >= total, "\(mutationCase.name): findings \(seen)")
    }

    @Test func theUnmutatedCorePassesTheSameSeeds() async {
        let reports = await SeedRunner.run(seeds: 1...64, options: SimulationOptions(), parallelism: 2)
        #expect(reports.allSatisfy { $0.passed })
    }
}
