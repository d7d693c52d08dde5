import JSON
import SandboxState
import Testing

@testable import SandboxServer

/// When the leader moves the cluster to newer apply rules (`RulesUpgrade`): only once every
/// member answered with a build that implements them, and to the lowest such version.
@Suite struct RulesUpgradeTests {
    @Test func everyMemberMustImplementTheTarget() {
        let members: [UInt64] = [1, 2, 3]
        #expect(RulesUpgrade.target(current: 1, members: members, supported: [1: 3, 2: 2, 3: 3]) == 2)
        // One member still on the old build: nowhere to go.
        #expect(RulesUpgrade.target(current: 1, members: members, supported: [1: 3, 2: 1, 3: 3]) == nil)
        // One member did not answer: hold.
        #expect(RulesUpgrade.target(current: 1, members: members, supported: [1: 3, 3: 3]) == nil)
        // Already there, or the members are behind the cluster (never down).
        #expect(RulesUpgrade.target(current: 2, members: members, supported: [1: 2, 2: 2, 3: 2]) == nil)
        #expect(RulesUpgrade.target(current: 3, members: members, supported: [1: 2, 2: 2, 3: 2]) == nil)
        #expect(RulesUpgrade.target(current: 1, members: [], supported: [:]) == nil)
        // A learner counts like a voter: it applies the same entries.
        #expect(RulesUpgrade.target(current: 1, members: [1, 2, 3, 4], supported: [1: 2, 2: 2, 3: 2, 4: 1]) == nil)
        #expect(RulesUpgrade.target(current: 1, members: [1, 2, 3, 4], supported: [1: 2, 2: 2, 3: 2, 4: 2]) == 2)
    }

    @Test func aBuildFromBeforeTheGateImplementsTheFirstRules() throws {
        let old = try JSONValue(parsing: Array(#"{"node": 2, "applied_index": 9}"#.utf8))
        #expect(RulesUpgrade.supported(in: old) == 1)
        let new = try JSONValue(parsing: Array(#"{"node": 2, "rules_version_supported": 4}"#.utf8))
        #expect(RulesUpgrade.supported(in: new) == 4)
        let silly = try JSONValue(parsing: Array(#"{"rules_version_supported": 99999999999}"#.utf8))
        #expect(RulesUpgrade.supported(in: silly) == 1)
    }

    @Test func aJoinerOnAnOlderBuildIsRefusedOnceTheClusterMoved() throws {
        let old = try JSONValue(parsing: Array(#"{"node": 4, "rules_version_supported": 1}"#.utf8))
        let new = try JSONValue(parsing: Array(#"{"node": 4, "rules_version_supported": 3}"#.utf8))
        let beforeGate = try JSONValue(parsing: Array(#"{"node": 4}"#.utf8))
        // On the first rules every build applies the log: nothing to check.
        #expect(JoinerRules.refusal(member: 4, clusterRules: 1, answer: old) == nil)
        // Moved to 2: a build that implements 1 (or predates the gate) is refused, by name.
        let refused = try #require(JoinerRules.refusal(member: 4, clusterRules: 2, answer: old))
        #expect(refused.contains("node 4") && refused.contains("version 1") && refused.contains("version 2"))
        #expect(JoinerRules.refusal(member: 4, clusterRules: 2, answer: beforeGate) != nil)
        #expect(JoinerRules.refusal(member: 4, clusterRules: 2, answer: new) == nil)
        #expect(JoinerRules.refusal(member: 4, clusterRules: 3, answer: new) == nil)
        // Not answering (not started yet) is not a refusal: a build too old stops at the entry.
        #expect(JoinerRules.refusal(member: 4, clusterRules: 2, answer: nil) == nil)
    }
}
