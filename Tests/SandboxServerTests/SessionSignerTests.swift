import SandboxState
import Testing

@testable import SandboxServer

/// Console session cookies and CSRF tokens: they round-trip, and a forged, altered, expired or
/// other session's value is refused.
@Suite struct SessionSignerTests {
    let signer = SessionSigner(secret: Array("cluster-secret-for-tests".utf8))
    let nonceA = [UInt8](repeating: 1, count: Session.nonceBytes)
    let nonceB = [UInt8](repeating: 2, count: Session.nonceBytes)

    @Test func hmacMatchesRFC4231() {
        let mac = HMACSHA256.mac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(
            HMACSHA256.mac(key: longKey, message).hexString
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func aCookieRoundTripsUntilItExpires() {
        let (cookie, session) = signer.issue(principal: "alice", nowSeconds: 1000, nonce: nonceA)
        #expect(signer.verify(cookie: cookie, nowSeconds: 1000) == session)
        #expect(session.principal == "alice")
        #expect(signer.verify(cookie: cookie, nowSeconds: 1000 + SessionSigner.lifetimeSeconds - 1) == session)
        #expect(signer.verify(cookie: cookie, nowSeconds: 1000 + SessionSigner.lifetimeSeconds) == nil)
        let bound = signer.issue(
            .bootstrapAdmin, principal: "admin", nowSeconds: 1000, nonce: nonceB, generation: 7,
            credential: [1, 2, 3, 4, 5, 6, 7, 8])
        let read = signer.verify(cookie: bound.cookie, nowSeconds: 1000)
        #expect(read == bound.session && read?.generation == 7 && read?.credential == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func alteredOrForgedCookiesAreRefused() {
        let (cookie, _) = signer.issue(principal: "alice", nowSeconds: 1000, nonce: nonceA)
        let other = SessionSigner(secret: Array("another-cluster".utf8))
        #expect(other.verify(cookie: cookie, nowSeconds: 1000) == nil)
        let parts = cookie.split(separator: ".")
        var payload = Base64URL.decode(parts[0])!
        payload[payload.count - 1] = UInt8(ascii: "b")  // alice → alicb
        #expect(signer.verify(cookie: Base64URL.encode(payload) + "." + parts[1], nowSeconds: 1000) == nil)
        for junk in ["", ".", "a.b.c", "!!!.???", String(repeating: "A", count: 5000)] {
            #expect(signer.verify(cookie: junk, nowSeconds: 1000) == nil)
        }
    }

    @Test func theCSRFTokenHoldsOnlyForItsSession() {
        let (_, first) = signer.issue(principal: "alice", nowSeconds: 1000, nonce: nonceA)
        let (_, second) = signer.issue(principal: "alice", nowSeconds: 1000, nonce: nonceB)
        let token = signer.csrfToken(for: first)
        #expect(signer.checkCSRF(token, for: first))
        #expect(!signer.checkCSRF(token, for: second))
        #expect(!signer.checkCSRF(nil, for: first))
        #expect(!signer.checkCSRF("", for: first))
        let altered = (token.hasPrefix("A") ? "B" : "A") + token.dropFirst()
        #expect(!signer.checkCSRF(altered, for: first))
    }
}
