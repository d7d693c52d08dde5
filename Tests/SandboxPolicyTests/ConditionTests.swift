import JSON
import JSONSchema
import Testing

@testable import SandboxPolicy

@Suite struct ConditionTests {
    static let parameters: JSONValue = [
        "recipient": "user@gmail.com",
        "amount": 150,
        "price": .number(JSONNumber(literal: "19.99")!),
        "currency": "EUR",
        "tags": ["urgent", "vip"],
        "customer": ["address": ["country": "DE"], "tier": "gold"],
        "items": [["sku": "A-1"], ["sku": "B-2"]],
        "flagged": true,
        "odd-key": "x",
        "nothing": nil,
    ]

    func evaluate(_ source: String, depth: Int = 0, cost: JSONNumber? = nil) throws -> ConditionOutcome {
        try Condition(source).evaluate(
            ConditionContext(
                parameters: ConditionTests.parameters, tool: "email.send", chainDepth: depth, costUSD: cost))
    }

    @Test(arguments: [
        ("recipient not endswith('@company.com')", true),
        ("recipient endswith('@gmail.com')", true),
        ("recipient endswith '@gmail.com'", true),
        ("recipient startswith 'user@'", true),
        ("recipient not startswith 'user@'", false),
        ("recipient contains 'gmail'", true),
        ("recipient matches '*@gmail.*'", true),
        ("recipient not matches '*@company.com'", true),
        ("recipient endswith ['@company.com', '@gmail.com']", true),
        ("amount > 100", true),
        ("amount >= 150 and amount <= 150", true),
        ("amount < 100 or currency == 'EUR'", true),
        ("not (amount < 100)", true),
        ("!(amount < 100) && currency != 'USD'", true),
        ("price > 19.98 and price < 20", true),
        ("amount == 150.0", true),
        ("currency in ['EUR', 'USD']", true),
        ("currency not in ['EUR', 'USD']", false),
        ("'vip' in tags", true),
        ("tags contains 'urgent'", true),
        ("customer.address.country == 'DE'", true),
        ("customer['tier'] == 'gold'", true),
        ("items[1].sku == 'B-2'", true),
        ("params['odd-key'] == 'x'", true),
        ("'tier' in customer", true),
        ("flagged", true),
        ("flagged and not flagged", false),
        ("nothing == null", true),
        ("lower(recipient) endswith '@gmail.com'", true),
        ("len(tags) == 2", true),
        ("len(recipient) > 3", true),
        ("$tool == 'email.send'", true),
        ("$tool matches 'email.*'", true),
        ("$chain_depth == 0", true),
        ("'a' < 'b'", true),
        ("amount > 100 and (currency == 'USD' or currency == 'EUR')", true),
    ])
    func evaluates(_ source: String, _ expected: Bool) throws {
        #expect(try evaluate(source) == (expected ? .true : .false), "\(source)")
    }

    @Test func missingFieldsAreUnknownNotFalse() throws {
        #expect(try evaluate("cc endswith '@x.com'") == .unknown(.missingField(FieldPath(components: [.key("cc")]))))
        // `not` keeps unknown unknown, so a missing field can never satisfy a negated test.
        guard case .unknown = try evaluate("cc not endswith '@x.com'") else {
            Issue.record("expected unknown")
            return
        }
    }

    @Test func kleeneLogicDecidesWhenItCan() throws {
        #expect(try evaluate("missing > 1 or amount > 100") == .true)
        #expect(try evaluate("missing > 1 and amount < 100") == .false)
        guard case .unknown = try evaluate("missing > 1 or amount < 100") else {
            Issue.record("expected unknown")
            return
        }
    }

    @Test func wrongTypesAreUnknown() throws {
        guard case .unknown(.wrongType) = try evaluate("amount endswith '0'") else {
            Issue.record("expected a type error")
            return
        }
        guard case .unknown(.wrongType) = try evaluate("amount > 'x'") else {
            Issue.record("expected a type error")
            return
        }
        #expect(try evaluate("amount == '150'") == .false)
        let argument = try evaluate("recipient endswith [1]")
        #expect("\(argument)" == "unknown (`endswith` does not apply to a number as the argument)")
    }

    @Test func costAttributeIsUnknownWhenAbsent() throws {
        #expect(try evaluate("$cost_usd > 1") == .unknown(.missingAttribute("cost_usd")))
        #expect(try evaluate("$cost_usd > 1", cost: JSONNumber(2)) == .true)
    }

    @Test(arguments: [
        ("amount >", 8, "expected a value"),
        ("amount = 5", 7, "did you mean `==`"),
        ("recipient not", 13, "expected `in`"),
        ("(amount > 1", 11, "expected `)`"),
        ("'abc", 0, "unterminated string"),
        ("amount > 1 1", 11, "unexpected `1`"),
        ("foo(1)", 0, "unknown function"),
        ("$user == 1", 0, "unknown request attribute"),
        ("x matches y", 2, "quoted glob"),
        ("x # y", 2, "unexpected character"),
        ("", 0, "empty"),
        ("'a\\q'", 2, "unknown escape"),
    ])
    func syntaxErrorsSayWhere(_ source: String, _ offset: Int, _ fragment: String) {
        #expect(throws: ConditionSyntaxError.self) { try Condition(source) }
        do {
            _ = try Condition(source)
        } catch {
            #expect(error.offset == offset, "\(source): \(error)")
            #expect(error.message.contains(fragment), "\(source): \(error)")
        }
    }

    @Test func conditionsAreBounded() {
        let deep = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        #expect(throws: ConditionSyntaxError.self) { try Condition(deep) }
        let long = Array(repeating: "a == 1", count: 1000).joined(separator: " or ")
        #expect(throws: ConditionSyntaxError.self) { try Condition(long) }
        let notChain = String(repeating: "not ", count: 100) + "a"
        #expect(throws: ConditionSyntaxError.self) { try Condition(notChain) }
    }

    @Test func evaluationStopsAtTheStepLimit() throws {
        // A huge list parameter scanned by `in` counts one step per element.
        let big = JSONValue.array((0..<20_000).map { .number(JSONNumber($0)) })
        let condition = try Condition("-1 in values")
        let outcome = condition.evaluate(ConditionContext(parameters: ["values": big], tool: "t"))
        #expect(outcome == .unknown(.tooManySteps))
    }
}
