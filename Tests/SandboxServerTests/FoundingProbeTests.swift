import Testing

@testable import SandboxServer

/// A founding pod on an empty data directory bootstraps only when every other founding pod is
/// known empty or fresh; a cluster on a pod not seen empty means join; silence means wait.
struct FoundingProbeTests {
    typealias Answer = FoundingProbe.Answer
    let fresh = Answer.node(leader: 0, term: 1, lastIndex: 1)
    let clusters = [
        Answer.node(leader: 2, term: 2, lastIndex: 9), .node(leader: 0, term: 3, lastIndex: 1),
        .node(leader: 0, term: 1, lastIndex: 2),
    ]

    @Test func aClusterOnAPodNotSeenEmptyMeansJoinEvenBesideSilence() {
        for running in clusters {
            #expect(FoundingProbe.decide(["a": .silent, "b": running], seenEmpty: []) == .join(through: "b"))
            #expect(FoundingProbe.decide(["a": fresh, "b": running], seenEmpty: ["a"]) == .join(through: "b"))
        }
    }

    @Test func bootstrapOnlyWhenEveryPodIsKnownEmptyOrFresh() {
        #expect(FoundingProbe.decide(["a": .probing, "b": .probing], seenEmpty: ["a", "b"]) == .bootstrap)
        #expect(FoundingProbe.decide(["a": .probing, "b": fresh], seenEmpty: ["a"]) == .bootstrap)
        #expect(FoundingProbe.decide(["a": .probing, "b": .silent], seenEmpty: ["a"]) == .wait)
        #expect(FoundingProbe.decide(["a": .silent, "b": .silent], seenEmpty: []) == .wait)
        #expect(FoundingProbe.decide(["a": fresh, "b": .silent], seenEmpty: []) == .wait)
        // Pods seen empty earlier in the probe that formed a cluster since: a first install.
        for running in clusters {
            #expect(FoundingProbe.decide(["a": running, "b": .silent], seenEmpty: ["a", "b"]) == .bootstrap)
        }
    }

    /// Pods past the founding ones: a cluster there means join; their silence holds nothing
    /// back; a pod founding alone waits ``FoundingProbe/aloneRounds`` rounds first (review M2).
    @Test func elasticPodsAreAskedToo() {
        let elastic: Set = ["e1", "e2"]
        for running in clusters {
            #expect(
                FoundingProbe.decide(["e1": .silent, "e2": running], seenEmpty: [], elastic: elastic, round: 1)
                    == .join(through: "e2"))
            #expect(
                FoundingProbe.decide(["a": .probing, "e1": running], seenEmpty: ["a"], elastic: elastic, round: 1)
                    == .join(through: "e1"))
        }
        #expect(FoundingProbe.decide(["a": fresh, "e1": .silent], seenEmpty: [], elastic: elastic) == .bootstrap)
        #expect(FoundingProbe.decide(["a": .silent, "e1": fresh], seenEmpty: [], elastic: elastic) == .wait)
        let alone = ["e1": Answer.silent, "e2": fresh]
        for round in 1..<FoundingProbe.aloneRounds {
            #expect(FoundingProbe.decide(alone, seenEmpty: [], elastic: elastic, round: round) == .wait)
        }
        #expect(
            FoundingProbe.decide(alone, seenEmpty: [], elastic: elastic, round: FoundingProbe.aloneRounds) == .bootstrap
        )
        #expect(FoundingProbe.decide([:], seenEmpty: [], round: 1) == .wait)
    }
}
