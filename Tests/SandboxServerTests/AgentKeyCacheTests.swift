import SandboxState
import Testing

@testable import SandboxServer

/// The agent key cache keeps records across decisions and forgets them when anything else is
/// applied; a record read before such an entry is not kept after it.
@Suite struct AgentKeyCacheTests {
    let hash = SHA256.hash(Array("key-1".utf8))
    let agent = AgentRecord(id: "bot", tenant: "acme", enabled: true, keyHashes: [], createdMillis: 0)

    @Test func decisionsKeepTheRecordAndAnIdentityChangeDropsIt() {
        let cache = AgentKeyCache()
        cache.store(agent, keyHash: hash, readAt: cache.lookup(keyHash: hash).generation)
        #expect(cache.lookup(keyHash: hash).agent == agent)
        cache.applied([EntryResult(index: 1, outcome: .noop)])
        #expect(cache.lookup(keyHash: hash).agent == agent, "a no-op changes no agent")
        cache.applied([EntryResult(index: 2, outcome: .noop), EntryResult(index: 3, outcome: .applied(.done))])
        #expect(cache.lookup(keyHash: hash).agent == nil, "a key revoke or disable answers .applied(.done)")
        cache.store(agent, keyHash: hash, readAt: cache.lookup(keyHash: hash).generation)
        cache.applied([EntryResult(index: 4, outcome: .rejected(.unknownAgent("x")))])
        #expect(cache.lookup(keyHash: hash).agent == nil)
        cache.store(agent, keyHash: hash, readAt: cache.lookup(keyHash: hash).generation)
        cache.applied(nil)
        #expect(cache.lookup(keyHash: hash).agent == nil, "a snapshot replaced the state")
    }

    @Test func aRecordReadBeforeAnIdentityChangeIsNotKept() {
        let cache = AgentKeyCache()
        let generation = cache.lookup(keyHash: hash).generation
        // ... the state read happens here, then a revoke is applied ...
        cache.applied([EntryResult(index: 1, outcome: .applied(.done))])
        cache.store(agent, keyHash: hash, readAt: generation)
        #expect(cache.lookup(keyHash: hash).agent == nil)
        #expect(cache.count == 0)
    }

    @Test func theCacheIsBounded() {
        let cache = AgentKeyCache(capacity: 3)
        for i in 0..<10 {
            let key = SHA256.hash(Array("key-\(i)".utf8))
            cache.store(agent, keyHash: key, readAt: cache.lookup(keyHash: key).generation)
            #expect(cache.count <= 3)
        }
        #expect(cache.count >= 1)
    }
}
