import JSON
import Raft
import SandboxState
import TestSupport
import Testing

@Suite struct EncodingTests {
    @Test func everyCommandRoundTrips() throws {
        for command in CommandSamples.all {
            let bytes = CommandEnvelope.encode(command, timeMillis: 1234)
            let decoded = try CommandEnvelope.decode(bytes)
            #expect(decoded.command == command)
            #expect(decoded.timeMillis == 1234)
        }
    }

    @Test func theLeaderStampsTimeInPlace() throws {
        var bytes = CommandEnvelope.encode(.noop)
        #expect(CommandEnvelope.stamp(&bytes, timeMillis: 0x0102_0304_0506_0708))
        #expect(try CommandEnvelope.decode(bytes).timeMillis == 0x0102_0304_0506_0708)
        var garbage: [UInt8] = [9, 9]
        #expect(!CommandEnvelope.stamp(&garbage, timeMillis: 1))
        #expect(garbage == [9, 9])
    }

    @Test func everyTruncationIsAnError() {
        for command in CommandSamples.all {
            let bytes = CommandEnvelope.encode(command)
            for length in 1..<bytes.count {
                #expect(throws: DecodingError.self, "\(command) cut to \(length)") {
                    try CommandEnvelope.decode(Array(bytes[..<length]))
                }
            }
        }
    }

    @Test func unknownVersionsTagsAndOversizeFieldsAreNamed() {
        func message(_ bytes: [UInt8]) -> String {
            let result = Result { () throws(DecodingError) in try CommandEnvelope.decode(bytes) }
            if case .failure(let error) = result { return error.message }
            return "decoded"
        }
        var future = CommandEnvelope.encode(.noop)
        future[0] = 2
        #expect(message(future).contains("unknown command format version 2"))
        var tag = CommandEnvelope.encode(.noop)
        tag[CommandEnvelope.headerBytes - 1] = 200
        #expect(message(tag).contains("unknown command tag 200"))
        let longID = String(repeating: "x", count: 129)
        #expect(
            message(CommandEnvelope.encode(.createTenant(id: longID, name: "n", actor: "a"))).contains("over the limit")
        )
        #expect(
            message(CommandEnvelope.encode(.createTenant(id: "a\u{1}b", name: "n", actor: "a"))).contains("control"))
        #expect(message(CommandEnvelope.encode(.createTenant(id: "", name: "n", actor: "a"))).contains("empty"))
        let huge = String(repeating: "#", count: (1 << 20) + 1)
        #expect(
            message(CommandEnvelope.encode(.publishPolicy(agent: "a", yaml: huge, mode: .enforce, actor: "x")))
                .contains("over the limit"))
        #expect(message(CommandEnvelope.encode(.noop) + [0]).contains("unexpected bytes"))
        var badUTF8 = CommandEnvelope.encode(.createTenant(id: "ab", name: "n", actor: "a"))
        badUTF8[badUTF8.count - 4] = 0xFF  // inside the id
        #expect(message(badUTF8).contains("UTF-8"))
        let notObject = CommandEnvelope.encode(
            .decide(
                DecideCommand(
                    requestID: "r", agent: "a", request: .tool(name: "t", parameters: [1], chainDepth: 0, costUSD: nil),
                    node: 1)))
        #expect(message(notObject).contains("must be a JSON object"))
    }

    /// Random mutations of valid entries: decoding never crashes; whatever decodes re-encodes to
    /// a command that decodes the same; applying any of them never throws and a refused entry
    /// changes nothing.
    @Test func mutatedEntriesNeverCrashAndRefusedOnesChangeNothing() throws {
        var random = SeededGenerator(seed: 11)
        // A build that implements every rules version: a mutated `setRulesVersion` applies
        // (a build without it would stop applying, which `RulesVersionTests` covers).
        let h = try Harness(supportedRulesVersion: .max)
        try h.agent("bot", policy: Policies.standard)
        var refused = 0
        var accepted = 0
        for round in 0..<(ModelTests.long ? 60_000 : 4_000) {
            var bytes = CommandEnvelope.encode(random.pick(CommandSamples.all), timeMillis: h.timeMillis)
            for _ in 0..<(random.below(4) + 1) {
                switch random.below(4) {
                case 0 where !bytes.isEmpty: bytes[random.below(bytes.count)] = UInt8(random.below(256))
                case 1 where !bytes.isEmpty: bytes.remove(at: random.below(bytes.count))
                case 2: bytes.insert(UInt8(random.below(256)), at: random.below(bytes.count + 1))
                default: if bytes.count > 2 { bytes.removeLast(random.below(bytes.count / 2)) }
                }
            }
            if let decoded = try? CommandEnvelope.decode(bytes) {
                let again = try CommandEnvelope.decode(
                    CommandEnvelope.encode(decoded.command, timeMillis: decoded.timeMillis))
                #expect(again.command == decoded.command, "round \(round)")
            }
            let clock = try h.queries.clockMillis()
            let head = try h.queries.auditHead()
            let result = try h.apply([h.entry(bytes: bytes)])[0]
            if case .rejected = result.outcome {
                refused += 1
                // Only the counters were written, unchanged.
                let counters: Set<[UInt8]> = [
                    StateKeys.clock, StateKeys.idempotencyCount, StateKeys.auditHead, StateKeys.digest,
                ]
                #expect(Set(h.storage.lastCommit.keys).isSubset(of: counters), "round \(round)")
                #expect(try h.queries.clockMillis() == clock, "round \(round)")
                #expect(try h.queries.auditHead() == head, "round \(round)")
            } else {
                accepted += 1
            }
        }
        #expect(refused > 1_000 && accepted > 50)
    }

    @Test func sha256MatchesTheFIPSVectors() {
        #expect(SHA256.hash([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash("abc".utf8).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8).hexString
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).hexString
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let long = Array(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
                .utf8)
        #expect(SHA256.hash(long).hexString == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func sha256InPiecesEqualsWhole() {
        var random = SeededGenerator(seed: 5)
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000] {
            let bytes = random.bytes(length)
            #expect(Self.hashInPieces(bytes, &random, longest: 70) == SHA256.hash(bytes), "length \(length)")
        }
    }

    /// The digest of `bytes` fed to one hasher in random pieces of 1 to `longest` bytes.
    static func hashInPieces(_ bytes: [UInt8], _ random: inout SeededGenerator, longest: Int) -> [UInt8] {
        var hasher = SHA256()
        var offset = 0
        while offset < bytes.count {
            let step = min(random.below(longest) + 1, bytes.count - offset)
            hasher.update(bytes[offset..<offset + step])
            offset += step
        }
        return hasher.finalize()
    }

    /// swift-crypto's digests equal the plain reference's on random inputs of every length up to
    /// four blocks and a few long ones, fed whole and in random pieces.
    @Test func sha256EqualsTheReferenceOnRandomInputs() {
        var random = SeededGenerator(seed: 11)
        let lengths = Array(0...260) + (0..<8).map { _ in random.below(20_000) }
        for length in lengths {
            let bytes = random.bytes(length)
            let expected = ReferenceSHA256.hash(bytes)
            #expect(SHA256.hash(bytes) == expected, "length \(length)")
            #expect(Self.hashInPieces(bytes, &random, longest: 150) == expected, "length \(length) in pieces")
        }
        #expect(ReferenceSHA256.hash("abc".utf8).hexString.hasPrefix("ba7816bf"))
    }
}

@Suite struct CanonicalJSONTests {
    static func randomValue(_ random: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        let strings = [
            "", "a", "é", "\"q\"", "back\\slash", "tab\t", "nl\n", "\u{1}\u{1F}", "😀", "Zz", "aa", "a\u{7F}",
        ]
        switch random.below(depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2:
            let numbers = [
                "0", "-1", "9223372036854775807", "-9223372036854775808", "0.25", "1e400", "-0.0075", "12.50",
            ]
            return .number(JSONNumber(literal: random.pick(numbers))!)
        case 3: return .string(random.pick(strings))
        case 4: return .array((0..<random.below(4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.below(5) { members[random.pick(strings)] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }

    @Test func canonicalBytesEqualTheJSONModulesSerializer() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<2_000 {
            let value = Self.randomValue(&random)
            #expect(CanonicalJSON.encode(value) == Array(value.serialized().utf8), "\(value)")
        }
    }

    /// The escape scan reads eight bytes at a time: every character that needs an escape (each
    /// control character, the quote, the backslash), and characters next to them in value (0x1F,
    /// 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, multi-byte UTF-8), at every position of strings of
    /// 0-24 bytes, give the JSON module's bytes.
    @Test func theEscapeScanFindsEveryEscapeAtEveryPosition() {
        var specials: [Character] = (0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }
        specials += ["\"", "\\", " ", "!", "#", "[", "]", "\u{7F}", "é", "\u{2028}", "😀"]
        for length in 0..<25 {
            let filler = String(repeating: "a", count: length)
            #expect(CanonicalJSON.encode(.string(filler)) == Array(JSONValue.string(filler).serialized().utf8))
            for position in 0..<max(length, 1) {
                for special in specials {
                    var characters = Array(filler)
                    if characters.isEmpty { characters = [special] } else { characters[position] = special }
                    let text = String(characters)
                    #expect(
                        CanonicalJSON.encode(.string(text)) == Array(JSONValue.string(text).serialized().utf8),
                        "\(text.debugDescription) at \(position)")
                }
            }
        }
    }

    /// Members already in key order are written in place, others sorted first: the same bytes
    /// whichever order the members came in.
    @Test func memberOrderDoesNotChangeTheBytes() {
        var random = SeededGenerator(seed: 5)
        var reordered = 0
        for _ in 0..<3_000 {
            guard case .object(let members) = Self.randomValue(&random) else { continue }
            let keys = members.keys.sorted()
            var ascending = JSONObject()
            var descending = JSONObject()
            for key in keys { _ = ascending.updateValue(members[key]!, forKey: key) }
            for key in keys.reversed() { _ = descending.updateValue(members[key]!, forKey: key) }
            let bytes = CanonicalJSON.encode(.object(ascending))
            #expect(bytes == CanonicalJSON.encode(.object(descending)))
            #expect(bytes == Array(JSONValue.object(ascending).serialized().utf8))
            if members.count > 1 { reordered += 1 }
        }
        #expect(reordered > 100)
    }
}

extension CanonicalJSONTests {
    /// The verifier's shortcut for `seq`: never a different answer from parsing, and an answer
    /// whenever the top-level member is a plain unsigned integer (other `seq` members nested,
    /// in strings or as other types around it).
    @Test func theTopLevelMemberShortcutAgreesWithParsing() {
        var random = SeededGenerator(seed: 11)
        var answered = 0
        for _ in 0..<3_000 {
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.below(4) { members[random.pick(["a", "zz", "seq\""])] = Self.randomValue(&random) }
            members["nested"] = .object(["seq": .number(JSONNumber(7)), "s": .string("\"seq\":9,")])
            let top = random.below(4)
            if top == 0 { members["seq"] = .number(JSONNumber(Int64(random.below(1_000_000)))) }
            if top == 1 { members["seq"] = Self.randomValue(&random) }
            let bytes = CanonicalJSON.encode(.object(members))
            var parsed: UInt64? = nil
            if case .number(let number)? = members["seq"], let value = number.int64Value {
                parsed = UInt64(bitPattern: value)
            }
            let shortcut = CanonicalJSON.topLevelUnsigned("seq", in: bytes)
            #expect(shortcut == nil || shortcut == parsed, "\(String(decoding: bytes, as: UTF8.self))")
            if top == 0 {
                #expect(shortcut == parsed)
                answered += 1
            }
        }
        #expect(answered > 500)
        // Not an object, cut short, or the member twice: no answer (the caller parses).
        for text in ["[1]", "{\"seq\":1", "{\"seq\":1,\"seq\":1}", "{\"seq\":01}", "{\"seq\":1.5}", "{\"seq\":-1}"] {
            #expect(CanonicalJSON.topLevelUnsigned("seq", in: Array(text.utf8)) == nil, "\(text)")
        }
    }
}
