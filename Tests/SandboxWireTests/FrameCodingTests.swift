import Raft
import TestSupport
import Testing

@testable import SandboxWire

@Suite struct FrameCodingTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func everyFrameRoundTripsWithAllItsFields(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var kinds = Set<UInt8>()
        var entries = 0
        var snapshots = 0
        for _ in 0..<2000 {
            let frame = random.frame()
            let decoded = try Frame(decoding: try frame.encoded())
            #expect(decoded == frame)
            kinds.insert(frame.kind.rawValue)
            if case .messages(let messages) = frame {
                entries += messages.reduce(0) { $0 + $1.entries.count }
                snapshots += messages.filter { $0.snapshot != nil }.count
            }
        }
        // The run exercised every frame kind, entries and inline snapshots.
        #expect(kinds.count == 9)
        #expect(entries > 100)
        #expect(snapshots > 50)
    }

    @Test func theBodyStartsWithTheVersionAndKind() throws {
        let body = try Frame.messages([]).encoded()
        #expect(body == [WireFormat.version, 4, 0, 0, 0, 0])
    }

    @Test func anotherProtocolVersionIsRefusedByName() throws {
        var body = try Frame.messages([]).encoded()
        body[0] = 9
        #expect(throws: WireError.unsupportedVersion(9)) { try Frame(decoding: body) }
        #expect(WireError.unsupportedVersion(9).description.contains("same sandboxd release"))
    }

    /// `snapshotAbandoned` (kind 8) came within version 1; its term and index are bounded as a
    /// message's are.
    @Test func theSnapshotAbandonedFrameIsBounded() throws {
        let body = try Frame.snapshotAbandoned(SnapshotNotice(term: 3, index: 40)).encoded()
        #expect(body == [1, 8, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 40])
        var beyond = body
        beyond[10] = 0x80  // the index's top byte: past 2^63 - 1
        #expect(throws: WireError.self) { try Frame(decoding: beyond) }
        #expect(throws: WireError.self) { try Frame.snapshotAbandoned(SnapshotNotice(term: .max, index: 1)).encoded() }
    }

    /// A notice with the leader's stream number is kind 9 (term, index, stream); one without
    /// keeps kind 8's layout, which a node of the release before decodes. Each kind has one
    /// layout: kind 8 with a stream, or kind 9 without, is refused.
    @Test func aNumberedSnapshotNoticeIsKind9AndAnUnnumberedOneKeepsKind8() throws {
        let numbered = try Frame.snapshotAbandoned(SnapshotNotice(term: 3, index: 40, stream: 7)).encoded()
        #expect(numbered == [1, 9, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 7])
        #expect(try Frame(decoding: numbered) == .snapshotAbandoned(SnapshotNotice(term: 3, index: 40, stream: 7)))
        let unnumbered: [UInt8] = [1, 8, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 40]
        #expect(try Frame(decoding: unnumbered) == .snapshotAbandoned(SnapshotNotice(term: 3, index: 40)))
        var kind8WithAStream = numbered
        kind8WithAStream[1] = 8
        #expect(throws: WireError.trailingBytes(8)) { try Frame(decoding: kind8WithAStream) }
        var kind9WithoutOne = unnumbered
        kind9WithoutOne[1] = 9
        #expect(throws: WireError.self) { try Frame(decoding: kind9WithoutOne) }
    }

    @Test func everyTruncationOfAFrameIsATypedError() throws {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let body = try random.frame().encoded()
            for cut in 0..<body.count {
                #expect(throws: WireError.self) { try Frame(decoding: Array(body[..<cut])) }
            }
        }
    }

    @Test func trailingBytesAreRefused() throws {
        let body = try Frame.messages([]).encoded() + [0]
        #expect(throws: WireError.trailingBytes(1)) { try Frame(decoding: body) }
    }

    @Test func aHugeDeclaredCountIsRefusedBeforeAllocating() throws {
        // "4 billion messages" in a 6-byte frame: refused by the limit, then by the bytes left.
        #expect(throws: WireError.limitExceeded(field: "message count", value: 0xFFFF_FFFF, limit: 4096)) {
            try Frame(decoding: [WireFormat.version, 4, 0xFF, 0xFF, 0xFF, 0xFF])
        }
        #expect(throws: WireError.self) { try Frame(decoding: [WireFormat.version, 4, 0, 0, 0x10, 0]) }
    }

    @Test func indicesBeyondTheStoragesBoundAreRefused() throws {
        let message = Message(kind: .append, from: 1, to: 2, term: UInt64(Int64.max) + 1)
        #expect(throws: WireError.self) { try Frame.messages([message]).encoded() }
        var body = try Frame.messages([Message(kind: .append, from: 1, to: 2, term: 1)]).encoded()
        // term is at body offset 2 (version, kind) + 4 (count) + 1 (kind) + 16 (from, to)
        body[23] = 0x80
        #expect(throws: WireError.limitExceeded(field: "term", value: 1 << 63 | 1, limit: UInt64(Int64.max))) {
            try Frame(decoding: body)
        }
    }

    @Test func theEncoderRefusesWhatTheDecoderWouldRefuse() {
        var limits = WireLimits()
        limits.maxEntriesPerMessage = 2
        let message = Message(
            kind: .append, from: 1, to: 2, term: 1, entries: (1...3).map { Entry(term: 1, index: $0) })
        #expect(throws: WireError.limitExceeded(field: "entries", value: 3, limit: 2)) {
            try Frame.messages([message]).encoded(limits: limits)
        }
        limits = WireLimits()
        limits.maxFrameBytes = 100
        #expect(throws: WireError.self) {
            try Frame.proposals(ProposalBatch(id: 1, proposals: [[UInt8](repeating: 1, count: 200)])).encoded(
                limits: limits)
        }
    }

    @Test func longRefusalTextIsCutAtACharacterBoundary() throws {
        var limits = WireLimits()
        limits.maxTextBytes = 5
        let frame = Frame.refusal(HandshakeRefusal(.foreignCluster, "ééé"))
        #expect(
            try Frame(decoding: try frame.encoded(limits: limits)) == .refusal(HandshakeRefusal(.foreignCluster, "éé")))
    }
}
