import Raft
import Testing

@testable import SandboxWire

@Suite struct HandshakeTests {
    let policy = HandshakePolicy(clusterID: "prod", localNode: 2, members: [1, 2, 3])

    @Test func aMemberOfTheClusterIsWelcomed() {
        var session = PeerSession(policy: policy)
        let answer = session.accept(.hello(Handshake(clusterID: "prod", node: 1, peer: 2)))
        #expect(answer == .success(.welcome(Handshake(clusterID: "prod", node: 2, peer: 1))))
        #expect(session.peer == 1)
    }

    @Test func aNodeOfAnotherClusterIsRefused() {
        var session = PeerSession(policy: policy)
        let answer = session.accept(.hello(Handshake(clusterID: "staging", node: 1, peer: 2)))
        guard case .failure(let refusal) = answer else { Issue.record("accepted"); return }
        #expect(refusal.reason == .foreignCluster)
        #expect(refusal.message.contains("staging"))
        #expect(session.peer == nil)
    }

    @Test func impostorsAreRefused() {
        let cases: [(Handshake, HandshakeRefusal.Reason)] = [
            (Handshake(clusterID: "prod", node: 2, peer: 2), .impostor),  // claims our own id
            (Handshake(clusterID: "prod", node: 9, peer: 2), .unknownNode),  // not a member
            (Handshake(clusterID: "prod", node: 1, peer: 3), .wrongPeer),  // dialled someone else
        ]
        for (hello, reason) in cases {
            var session = PeerSession(policy: policy)
            guard case .failure(let refusal) = session.accept(.hello(hello)) else {
                Issue.record("\(hello) accepted")
                continue
            }
            #expect(refusal.reason == reason)
        }
    }

    @Test func theFirstFrameMustBeAHello() {
        var session = PeerSession(policy: policy)
        guard case .failure(let refusal) = session.accept(.messages([])) else { Issue.record("accepted"); return }
        #expect(refusal.reason == .protocolViolation)
    }

    @Test func anEstablishedPeerCannotSpeakForAnotherNode() throws {
        var session = PeerSession(policy: policy)
        _ = session.accept(.hello(Handshake(clusterID: "prod", node: 1, peer: 2)))
        try session.check(.messages([Message(kind: .heartbeat, from: 1, to: 2, term: 3)]))
        #expect(throws: HandshakeRefusal.self) {
            try session.check(.messages([Message(kind: .heartbeat, from: 3, to: 2, term: 3)]))
        }
        #expect(throws: HandshakeRefusal.self) {
            try session.check(.messages([Message(kind: .heartbeat, from: 1, to: 3, term: 3)]))
        }
        #expect(throws: HandshakeRefusal.self) {
            try session.check(.hello(Handshake(clusterID: "prod", node: 3, peer: 2)))
        }
    }

    @Test func framesBeforeTheHandshakeAreRefused() {
        let session = PeerSession(policy: policy)
        #expect(throws: HandshakeRefusal.self) { try session.check(.proposals(ProposalBatch(id: 1, proposals: []))) }
    }
}
