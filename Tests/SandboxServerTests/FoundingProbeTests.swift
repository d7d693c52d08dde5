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
}
