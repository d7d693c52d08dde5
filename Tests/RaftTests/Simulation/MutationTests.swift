import Raft
import RaftSimulation
import Testing

#if DEBUG
    /// The checker has teeth: each deliberately broken core is caught within a bounded number
    /// of seeds.
    @Suite struct MutationTests {
        static let seedBound: UInt64 = 1000

        @Test(arguments: Mutations.all.map(\.name))
        func simulatorCatchesMutation(_ name: String) async {
            let mutation = Mutations.all.first { $0.name == name }!.mutation
            var options = SimulationOptions()
            options.mutations = mutation
            var found: SimulationReport?
            var low: UInt64 = 1
            while found == nil && low <= Self.seedBound {
                let high = min(low + 31, Self.seedBound)
                let reports = await SeedRunner.run(seeds: low...high, options: options, parallelism: 2)
                found = reports.first { !$0.passed }
                low = high + 1
            }
            #expect(found != nil, "mutation \(name) survived \(Self.seedBound) seeds")
            if let found, let violation = found.violation {
                #expect(!violation.detail.isEmpty)
            }
        }

        @Test func theUnmutatedCorePassesTheSameSeeds() async {
            let reports = await SeedRunner.run(seeds: 1...64, options: SimulationOptions(), parallelism: 2)
            #expect(reports.allSatisfy { $0.passed })
        }
    }
#endif
