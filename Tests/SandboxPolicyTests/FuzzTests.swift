import Foundation
import NetworkAddress
import TestSupport
import Testing

@testable import SandboxPolicy

/// Arbitrary bytes into every parser: each must return or throw, never crash or hang. Bounded in
/// count and time (seeded; raise the counts locally with a longer loop when hunting).
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

    @Test func conditionParserSurvivesArbitraryInput() {
        var random = SeededGenerator(seed: 0xF022_0001)
        let context = ConditionContext(parameters: ["a": "x", "b": 1, "c": ["d": [1, 2]]], tool: "t")
        for _ in 0..<(20_000 * FuzzTests.scale) {
            if let condition = try? Condition(FuzzTests.text(&random, FuzzTests.conditionAlphabet, maxLength: 64)) {
                _ = condition.evaluate(context)
            }
        }
    }

    @Test func urlParserSurvivesArbitraryInput() throws {
        var random = SeededGenerator(seed: 0xF022_0002)
        let policy = try Fixtures.salesAgent()
        for _ in 0..<(20_000 * FuzzTests.scale) {
            let url = FuzzTests.text(&random, FuzzTests.urlAlphabet, maxLength: 48)
            _ = policy.evaluate(HTTPRequest(url: Bool.random(using: &random) ? "http://" + url : url))
        }
    }

    /// Random addresses of both families (and IPv4-mapped IPv6) against CIDR blocks of both
    /// families, through the URL path and the resolved-address path.
    @Test func addressJudgeSurvivesRandomAddresses() throws {
        var random = SeededGenerator(seed: 0xF022_0006)
        let policy = try Fixtures.policy(
            """
            network:
              deny_all_others: false
              allow_cidrs: ["10.0.0.0/8", "::ffff:192.168.0.0/112", "fd00:1::/32", "::/0"]
              deny_cidrs: ["10.9.0.0/16", "fd00:1:2::/48", "::ffff:0:0/96", "2001:db8::1/128"]
            """)
        for _ in 0..<(20_000 * FuzzTests.scale) {
            let v4 = UInt32.random(in: 0...UInt32.max, using: &random)
            let address: IPAddress
            switch Int.random(in: 0..<3, using: &random) {
            case 0: address = .v4(v4)
            case 1: address = .v6(high: 0, low: 0xFFFF << 32 | UInt64(v4))
            default: address = .v6(high: random.next(), low: random.next())
            }
            _ = policy.evaluateConnection(to: address)
            let host = if case .v6 = address { "[\(address)]" } else { "\(address)" }
            _ = policy.evaluate(HTTPRequest(url: "http://\(host)/"))
        }
    }

    static let redactionAlphabet = Array("0123456789 -+()@.abcxyzAKIAsk-_ghp_Bearer \n-----BEGIN PRIVATE KEY".utf8)

    /// The redactor sees arbitrary payload text: it must return, and its output must be stable.
    @Test func redactorSurvivesArbitraryInput() {
        var random = SeededGenerator(seed: 0xF022_0005)
        let redactor = Redactor(classes: RedactionClass.allCases)
        var unstable: [String] = []
        for _ in 0..<(3_000 * FuzzTests.scale) {
            let text = FuzzTests.text(&random, FuzzTests.redactionAlphabet, maxLength: 80)
            let once = redactor.redact(text)
            // Redacting again finds nothing new: placeholders are not themselves sensitive.
            if redactor.redact(once) != once, unstable.count < 5 { unstable.append(text) }
        }
        #expect(unstable.isEmpty, "\(unstable)")
    }

    @Test func policyParserSurvivesArbitraryInput() {
        var random = SeededGenerator(seed: 0xF022_0003)
        for _ in 0..<(3_000 * FuzzTests.scale) {
            _ = try? CompiledPolicy(yaml: FuzzTests.text(&random, FuzzTests.yamlAlphabet, maxLength: 96))
        }
    }

    /// Mutations of a real policy reach deeper than random text.
    @Test func policyParserSurvivesMutatedPolicies() throws {
        var random = SeededGenerator(seed: 0xF022_0004)
        let original = Array(try Fixtures.text("policies/examples/sales_agent.yaml").utf8)
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
            if let policy = try? CompiledPolicy(yaml: String(decoding: bytes, as: UTF8.self)) {
                _ = policy.trace(Fixtures.call("email.send", ["recipient": "x@y.z"]))
            }
        }
    }
}
