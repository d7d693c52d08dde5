import TestSupport
import Testing

@testable import SandboxState

/// The agent cache keeps the last agent's value in front of its table and writes it back only
/// when another agent comes to the front: whatever the order of reads, writes and removals, it
/// must answer as a plain dictionary would, or a decide would read a stale agent row.
@Suite struct AgentCacheTests {
    @Test func itAnswersAsADictionaryWhateverTheOrderOfAccesses() {
        var random = SeededGenerator(seed: 7)
        let agents = ["a", "b", "c", "an-agent-id-longer-than-fifteen-bytes", "d"]
        var frontReads = 0
        for _ in 0..<200 {
            var cache = AgentCache<Int>()
            var model: [String: Int] = [:]
            var last: String? = nil
            for step in 0..<Int(random.next() % 60) {
                let agent = agents[Int(random.next() % UInt64(agents.count))]
                switch random.next() % 8 {
                case 0, 1, 2:
                    if agent == last, model[agent] != nil { frontReads += 1 }
                    #expect(cache[agent] == model[agent], "read of \(agent) at step \(step)")
                case 3, 4, 5:
                    cache[agent] = step
                    model[agent] = step
                case 6:
                    cache[agent] = nil
                    model[agent] = nil
                default:
                    if random.next() % 4 == 0 {
                        cache.removeAll(keepingCapacity: true)
                        model.removeAll()
                    }
                }
                last = agent
                #expect(cache.count == model.count, "count at step \(step)")
            }
            for agent in agents { #expect(cache[agent] == model[agent], "final read of \(agent)") }
        }
        #expect(frontReads > 100, "the runs read the front agent again")
    }
}
