import Raft
import SandboxState
import Testing

@Suite struct MemberAddressTests {
    let command = Command.setMemberAddress(
        node: 4, peer: "127.0.0.1:7083", http: "sandbox-3.sandbox-peers.ns.svc.cluster.local:8080", actor: "admin")

    @Test func roundTripsAndEveryTruncationIsAnError() throws {
        let bytes = CommandEnvelope.encode(command, timeMillis: 7)
        #expect(try CommandEnvelope.decode(bytes).command == command)
        for length in 1..<bytes.count {
            #expect(throws: DecodingError.self) { try CommandEnvelope.decode(Array(bytes[..<length])) }
        }
    }

    @Test func nodeZeroAndControlCharactersAreRefused() throws {
        let harness = try Harness()
        for bad in [
            Command.setMemberAddress(node: 0, peer: "h:1", http: "h:2", actor: "a"),
            .setMemberAddress(node: 2, peer: "h:1\n", http: "h:2", actor: "a"),
            .setMemberAddress(node: 2, peer: "h:1", http: "h 2", actor: "a"),
        ] {
            let result = try harness.apply(bad)
            #expect(result.error != nil, "\(bad)")
        }
        #expect(try StateQueries(harness.storage).memberAddresses().isEmpty)
    }

    @Test func appliedAddressesAreQueriedReplacedAndForgotten() throws {
        let harness = try Harness()
        _ = try harness.must(command)
        _ = try harness.must(.setMemberAddress(node: 1, peer: "10.0.0.1:7080", http: "10.0.0.1:8080", actor: "n1"))
        var members = try StateQueries(harness.storage).memberAddresses()
        #expect(members.keys.sorted() == [1, 4])
        #expect(members[4]?.http == "sandbox-3.sandbox-peers.ns.svc.cluster.local:8080")
        _ = try harness.must(.setMemberAddress(node: 4, peer: "127.0.0.1:9999", http: "127.0.0.1:9998", actor: "a"))
        members = try StateQueries(harness.storage).memberAddresses()
        #expect(members[4] == MemberAddress(node: 4, peer: "127.0.0.1:9999", http: "127.0.0.1:9998"))
        _ = try harness.must(.setMemberAddress(node: 4, peer: "", http: "", actor: "a"))
        #expect(try StateQueries(harness.storage).memberAddresses().keys.sorted() == [1])
    }
}
