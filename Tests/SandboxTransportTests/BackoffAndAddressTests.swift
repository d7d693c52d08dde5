import Raft
import Testing

@testable import SandboxTransport

@Suite struct BackoffAndAddressTests {
    @Test func delaysGrowExponentiallyWithJitterUpToTheCap() {
        var backoff = ReconnectBackoff(initial: .milliseconds(10), maximum: .seconds(1))
        var random = SplitMix64(seed: 3)
        var previousBase = Duration.zero
        for attempt in 0..<12 {
            let base = min(Duration.milliseconds(10) * (1 << attempt), .seconds(1))
            let delay = backoff.nextDelay(using: &random)
            #expect(delay >= base / 2 && delay <= base, "attempt \(attempt): \(delay) outside [\(base / 2), \(base)]")
            #expect(base >= previousBase)
            previousBase = base
        }
        #expect(backoff.nextDelay(using: &random) <= .seconds(1))
        backoff.reset()
        #expect(backoff.nextDelay(using: &random) <= .milliseconds(10))
    }

    @Test func jitterDependsOnTheInjectedGenerator() {
        var first = ReconnectBackoff()
        var second = ReconnectBackoff()
        var randomA = SplitMix64(seed: 1)
        var randomB = SplitMix64(seed: 2)
        let a = (0..<5).map { _ in first.nextDelay(using: &randomA) }
        let b = (0..<5).map { _ in second.nextDelay(using: &randomB) }
        #expect(a != b)
    }

    @Test func peerListsParseAndBadOnesSayWhy() throws {
        let peers = try PeerAddress.parsePeers("1=10.0.0.1:7000,2=node-2.sandbox:7001,3=[::1]:7002")
        #expect(peers[1] == PeerAddress(host: "10.0.0.1", port: 7000))
        #expect(peers[2] == PeerAddress(host: "node-2.sandbox", port: 7001))
        #expect(peers[3] == PeerAddress(host: "::1", port: 7002))
        for bad in ["1=host", "0=h:1", "x=h:1", "1=h:70000", "1=h:1,1=h:2", "1=:5"] {
            #expect(throws: PeerAddressError.self) { try PeerAddress.parsePeers(bad) }
        }
    }
}
