import Foundation
import Raft
import Testing

@testable import SandboxWire

/// A stand-in MAC for the pure handshake (the transport's is HMAC-SHA256): a keyed FNV-1a
/// digest, and nonces from a counter.
final class FakeAuthenticator: PeerAuthenticator, @unchecked Sendable {
    let key: [UInt8]
    private let lock = NSLock()
    private var counter: UInt8

    init(key: String, firstNonce: UInt8 = 0) {
        self.key = Array(key.utf8)
        counter = firstNonce
    }

    func code(for message: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key + message {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return withUnsafeBytes(of: hash) { Array($0) }
    }

    func isValid(_ code: [UInt8], for message: [UInt8]) -> Bool { code == self.code(for: message) }

    func nonce() -> [UInt8] {
        lock.withLock {
            counter &+= 1
            return [UInt8](repeating: counter, count: 16)
        }
    }
}

@Suite struct HandshakeAuthenticationTests {
    let policy = HandshakePolicy(clusterID: "prod", localNode: 2, members: [1, 2, 3])
    let diallerNonce = [UInt8](repeating: 0xA5, count: 16)

    /// The dialler's side: checks the welcome's proof and answers with its own.
    func diallerProof(answering welcome: Handshake, with dialler: FakeAuthenticator) -> Handshake? {
        let expected = HandshakeTranscript.welcome(
            clusterID: "prod", acceptor: 2, dialler: 1, diallerNonce: diallerNonce, acceptorNonce: welcome.nonce)
        guard dialler.isValid(welcome.proof, for: expected) else { return nil }
        let proof = dialler.code(
            for: HandshakeTranscript.hello(
                clusterID: "prod", dialler: 1, acceptor: 2, acceptorNonce: welcome.nonce, diallerNonce: diallerNonce))
        return Handshake(clusterID: "prod", node: 1, peer: 2, nonce: diallerNonce, proof: proof)
    }

    func acceptHello(on session: inout PeerSession) -> Handshake? {
        guard
            case .success(.welcome(let welcome)) = session.accept(
                .hello(Handshake(clusterID: "prod", node: 1, peer: 2, nonce: diallerNonce)))
        else { return nil }
        return welcome
    }

    @Test func bothEndsProveTheSecretThenTheConnectionIsEstablished() throws {
        var session = PeerSession(policy: policy, authenticator: FakeAuthenticator(key: "secret"))
        let welcome = try #require(acceptHello(on: &session))
        #expect(session.peer == nil && session.awaitsProof)
        let proof = try #require(diallerProof(answering: welcome, with: FakeAuthenticator(key: "secret")))
        #expect(session.authenticate(.hello(proof)) == nil)
        #expect(session.peer == 1)
    }

    @Test func anotherSecretFailsBothWays() throws {
        var session = PeerSession(policy: policy, authenticator: FakeAuthenticator(key: "secret"))
        let welcome = try #require(acceptHello(on: &session))
        let impostor = FakeAuthenticator(key: "guess")
        #expect(diallerProof(answering: welcome, with: impostor) == nil)  // the dialler refuses the welcome
        var forged = Handshake(clusterID: "prod", node: 1, peer: 2, nonce: diallerNonce)
        forged.proof = impostor.code(
            for: HandshakeTranscript.hello(
                clusterID: "prod", dialler: 1, acceptor: 2, acceptorNonce: welcome.nonce, diallerNonce: diallerNonce))
        #expect(session.authenticate(.hello(forged))?.reason == .unauthenticated)
        #expect(session.peer == nil)
    }

    /// A proof recorded on one connection is worthless on the next: the acceptor's nonce differs.
    @Test func aReplayedHandshakeIsRefused() throws {
        let acceptor = FakeAuthenticator(key: "secret")
        var first = PeerSession(policy: policy, authenticator: acceptor)
        let firstWelcome = try #require(acceptHello(on: &first))
        let recorded = try #require(diallerProof(answering: firstWelcome, with: acceptor))
        #expect(first.authenticate(.hello(recorded)) == nil)
        var second = PeerSession(policy: policy, authenticator: acceptor)
        _ = try #require(acceptHello(on: &second))
        #expect(second.authenticate(.hello(recorded))?.reason == .unauthenticated)
        #expect(second.peer == nil)
    }

    @Test func aDiallerWithoutAChallengeIsRefused() {
        var session = PeerSession(policy: policy, authenticator: FakeAuthenticator(key: "secret"))
        guard case .failure(let refusal) = session.accept(.hello(Handshake(clusterID: "prod", node: 1, peer: 2)))
        else {
            Issue.record("accepted without a nonce")
            return
        }
        #expect(refusal.reason == .unauthenticated)
    }
}
