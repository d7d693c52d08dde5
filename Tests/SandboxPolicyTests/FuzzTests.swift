import Foundation
import NetworkAddress
import TestSupport
import Testing

@testable import SandboxPolicy

/// Seeded random input into every parser and judge, each test asserting a property (not only
/// that nothing traps): errors point into the input, tracing decides as evaluating does, deny
/// blocks always deny, redaction leaves no match, malformed URLs are refused as such.
@Suite struct FuzzTests {
    /// `LONG=1 scripts/test` runs every loop 20 times longer.
    static let scale = ProcessInfo.processInfo.environment["LONG"] == "1" ? 20 : 1

    static let conditionAlphabet = Array("abc.[]()'\"\\ $0129-=<>!&|,notandorinendswithmatches".utf8)
    static let urlAlphabet = Array("htps:/@[]%25.:0x7f1ab-_?#\\ ::ffffé例\t".utf8)
    static let yamlAlphabet = Array("tools:\n allow- [\"*\"]{}&*a:|>#'!%@`\t".utf8)

    static func text(_ random: inout SeededGenerator, _ alphabet: [UInt8], maxLength: Int) -> String {
        let count = Int.random(in: 0...maxLength, using: &random)
        let bytes: [UInt8] =
            Bool.random(using: &random)
            ? random.bytes(count) : (0..<count).map { _ in random.pick(alphabet) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Random text into the condition parser: it parses (and then evaluates without trapping,
    /// the same way twice) or fails with an error whose offset lies inside the text.
    @Test func conditionParserParsesOrPointsIntoTheText() {
        var random = SeededGenerator(seed: 0xF022_0001)
        let context = ConditionContext(parameters: ["a": "x", "b": 1, "c": ["d": [1, 2]]], tool: "t")
        var parsed = 0
        for _ in 0..<(20_000 * FuzzTests.scale) {
            let text = FuzzTests.text(&random, FuzzTests.conditionAlphabet, maxLength: 64)
            do {
                let condition = try Condition(text)
                parsed += 1
                #expect(condition.evaluate(context) == condition.evaluate(context), "\(text)")
            } catch {
                #expect((0...text.unicodeScalars.count).contains(error.offset), "\(text): \(error)")
            }
        }
        #expect(parsed > 100, "the generator must reach the parser's accepting paths")
    }

    /// A policy that allows every address it can (`0.0.0.0/0`, `::/0`, metadata, any host) and
    /// denies some blocks of each family.
    static let denyingPolicy = """
        network:
          deny_all_others: false
          allow_metadata: true
          allow_cidrs: ["0.0.0.0/0", "::/0", "::ffff:0:0/96", "10.0.0.0/8", "fd00::/8"]
          deny_cidrs: ["10.9.0.0/16", "192.168.0.0/24", "169.254.169.254/32", "fd00:1:2::/48", "2001:db8::/32",
                       "::ffff:172.16.0.0/108", "8.8.8.8"]
        """

    /// A random address inside `block`: its prefix, random host bits.
    static func address(in block: CIDRBlock, _ random: inout SeededGenerator) -> IPAddress {
        switch block.address {
        case .v4(let base):
            let hostBits = 32 - block.prefixLength
            let host = hostBits == 0 ? 0 : UInt32(truncatingIfNeeded: random.next()) & (UInt32.max >> (32 - hostBits))
            return .v4(base | host)
        case .v6(let high, let low):
            let hostBits = 128 - block.prefixLength
            let lowMask: UInt64 = hostBits >= 64 ? .max : (hostBits == 0 ? 0 : .max >> (64 - hostBits))
            let highMask: UInt64 = hostBits <= 64 ? 0 : (hostBits == 128 ? .max : .max >> (128 - hostBits))
            return .v6(high: high | random.next() & highMask, low: low | random.next() & lowMask)
        }
    }

    /// Property: an address inside a `deny_cidrs` block is denied, by that block, whichever way
    /// it is written (IPv4, IPv4-mapped IPv6, in a URL or as a resolved address), however broad
    /// the allow entries. Control: random addresses outside every deny block are allowed.
    @Test func anAddressInADenyBlockIsAlwaysDenied() throws {
        var random = SeededGenerator(seed: 0xF022_0006)
        let policy = try Fixtures.policy(FuzzTests.denyingPolicy)
        let blocks = [
            "10.9.0.0/16", "192.168.0.0/24", "169.254.169.254/32", "fd00:1:2::/48", "2001:db8::/32",
            "::ffff:172.16.0.0/108", "8.8.8.8",
        ].compactMap(CIDRBlock.init)
        #expect(blocks.count == 7)
        var allowed = 0
        for _ in 0..<(20_000 * FuzzTests.scale) {
            let index = random.below(blocks.count)
            var address = FuzzTests.address(in: blocks[index], &random)
            if case .v4(let v4) = address, random.chance(50) { address = .v6(high: 0, low: 0xFFFF << 32 | UInt64(v4)) }
            let host = if case .v6 = address { "[\(address)]" } else { "\(address)" }
            for decision in [
                policy.evaluateConnection(to: address), policy.evaluate(HTTPRequest(url: "http://\(host)/")),
            ] {
                #expect(decision.outcome == .deny, "\(address) -> \(decision.explanation)")
                #expect(decision.rule.hasPrefix("network.deny_cidrs["), "\(address) -> \(decision.rule)")
            }
            // A random public-or-not address outside every deny block is allowed by the broad entries.
            let other: IPAddress =
                random.chance(50)
                ? .v4(UInt32(truncatingIfNeeded: random.next())) : .v6(high: random.next(), low: random.next())
            if !blocks.contains(where: { $0.contains(other) }) {
                if policy.evaluateConnection(to: other).outcome == .allow { allowed += 1 }
            }
        }
        #expect(allowed > 10_000 * FuzzTests.scale, "the control addresses must mostly be allowed")
    }

    static let redactionAlphabet = Array("0123456789 -+()@.abcxyzAKIAsk-_ghp_Bearer \n-----BEGIN PRIVATE KEY".utf8)

    /// The redactor sees arbitrary payload text. Property: no match of its patterns is left
    /// (redacting the output again changes nothing), and a secret planted in the noise never
    /// survives.
    @Test func redactionLeavesNoMatchBehind() {
        var random = SeededGenerator(seed: 0xF022_0005)
        let redactor = Redactor(classes: RedactionClass.allCases)
        var unstable: [String] = []
        for _ in 0..<(3_000 * FuzzTests.scale) {
            let secret = FuzzTests.secret(&random)
            let text =
                FuzzTests.text(&random, FuzzTests.redactionAlphabet, maxLength: 40) + " \(secret) "
                + FuzzTests.text(&random, FuzzTests.redactionAlphabet, maxLength: 40)
            let once = redactor.redact(text)
            if redactor.redact(once) != once, unstable.count < 5 { unstable.append(text) }
            #expect(!once.contains(secret), "\(secret) survived in \(once)")
        }
        #expect(unstable.isEmpty, "\(unstable)")
    }

    /// A random email address, Luhn-valid card number, AWS access key id or GitHub token.
    static func secret(_ random: inout SeededGenerator) -> String {
        func word(_ alphabet: String, _ count: Int) -> String {
            String((0..<count).map { _ in random.pick(Array(alphabet)) })
        }
        let lower = "abcdefghijklmnopqrstuvwxyz"
        switch random.below(4) {
        case 0: return word(lower, 3 + random.below(6)) + "@" + word(lower, 3 + random.below(6)) + ".com"
        case 1:
            var digits = [4] + (0..<14).map { _ in random.below(10) }
            // Luhn: double every second digit from the right of the full number (check digit last).
            let sum = digits.reversed().enumerated().reduce(0) { total, item in
                let doubled = item.offset % 2 == 0 ? item.element * 2 : item.element
                return total + (doubled > 9 ? doubled - 9 : doubled)
            }
            digits.append((10 - sum % 10) % 10)
            return digits.map(String.init).joined()
        case 2: return "AKIA" + word("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        default: return "ghp_" + word(lower + "ABCDEFGHIJ0123456789", 36)
        }
    }

    /// Property: the policy refuses a URL exactly when the strict parser does (rule
    /// `network.url`); a URL that parses is judged on its host and rules instead.
    @Test func aURLIsRefusedAsMalformedExactlyWhenTheParserRefusesIt() throws {
        var random = SeededGenerator(seed: 0xF022_0002)
        let policy = try Fixtures.salesAgent()
        for _ in 0..<(20_000 * FuzzTests.scale) {
            let body = FuzzTests.text(&random, FuzzTests.urlAlphabet, maxLength: 48)
            let url = random.chance(50) ? "http://" + body : body
            let decision = policy.evaluate(HTTPRequest(url: url))
            let parses = (try? StrictURL(url)) != nil
            #expect((decision.rule == "network.url") == !parses, "\(url) -> \(decision.rule)")
            if !parses { #expect(decision.outcome == .deny) }
        }
    }

    /// Property of a policy that loads: tracing decides exactly as evaluating does. Of one that
    /// does not: every error points at a line of the text.
    static func checkPolicy(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        do {
            let policy = try CompiledPolicy(yaml: text)
            for request in FuzzTests.probes {
                #expect(policy.trace(request).decision == policy.evaluate(request), "\(text)")
            }
        } catch {
            for diagnostic in error.errors {
                #expect((1...max(lines, 1)).contains(diagnostic.location.line), "\(diagnostic) in \(text)")
            }
        }
    }

    static let probes: [PolicyRequest] = [
        .toolCall(ToolCall(tool: "email.send", parameters: ["recipient": "x@y.z"])),
        .toolCall(ToolCall(tool: "payments.refund", parameters: ["amount": 500], costUSD: 3)),
        .toolCall(ToolCall(tool: "crm.read", chainDepth: 9)),
        .http(HTTPRequest(url: "https://api.company.com/x")), .http(HTTPRequest(url: "http://169.254.169.254/")),
    ]

    @Test func randomPolicyTextLoadsConsistentlyOrPointsAtItsErrors() {
        var random = SeededGenerator(seed: 0xF022_0003)
        for _ in 0..<(3_000 * FuzzTests.scale) {
            FuzzTests.checkPolicy(FuzzTests.text(&random, FuzzTests.yamlAlphabet, maxLength: 96))
        }
    }

    /// Mutations of a real policy reach deeper than random text.
    @Test func mutatedPoliciesLoadConsistentlyOrPointAtTheirErrors() throws {
        var random = SeededGenerator(seed: 0xF022_0004)
        let original = Array(try Fixtures.text("policies/examples/sales_agent.yaml").utf8)
        var loaded = 0
        for _ in 0..<(1_500 * FuzzTests.scale) {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: bytes[index] = random.pick(FuzzTests.yamlAlphabet)
                case 1: bytes.remove(at: index)
                default: bytes.insert(random.pick(FuzzTests.yamlAlphabet), at: index)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if (try? CompiledPolicy(yaml: text)) != nil { loaded += 1 }
            FuzzTests.checkPolicy(text)
        }
        #expect(loaded > 100, "some mutations must still load")
    }
}
