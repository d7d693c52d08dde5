import SandboxState
import Testing

@testable import SandboxServer

/// Agent key ids depend on the shared secret, not on the key's hash alone.
@Suite struct KeyIDsTests {
    @Test func anIDIsAnHMACUnderTheSecretNotAPrefixOfTheHash() {
        let hash = SHA256.hash(Array("DEV-AGENT-KEY-123".utf8))
        let ids = KeyIDs(secret: Array("signing-key-one-32-bytes-long!!!".utf8))
        let id = ids.id(hash)
        #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
        #expect(id == KeyIDs(secret: Array("signing-key-one-32-bytes-long!!!".utf8)).id(hash), "every node alike")
        #expect(id != hash.prefix(8).map { IdentityInput.hex($0) }.joined())
        #expect(id != KeyIDs(secret: Array("signing-key-two-32-bytes-long!!!".utf8)).id(hash))
        #expect(id != ids.id(SHA256.hash(Array("DEV-AGENT-KEY-124".utf8))))
    }
}
