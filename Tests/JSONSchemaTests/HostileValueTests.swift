import JSON
import Testing

@testable import JSONSchema

/// Keyword values and instances at the edges of what the parser accepts: each validation must
/// finish quickly with the right answer, never trap or run for minutes.
@Suite struct HostileValueTests {
    private func timed(_ body: () -> Void) -> Duration {
        let start = ContinuousClock.now
        body()
        return ContinuousClock.now - start
    }

    @Test func multipleOfWithExtremeExponents() throws {
        let digits = String(repeating: "7", count: 9_999)
        let cases: [(step: String, value: String, expected: Bool)] = [
            ("1e-99999999", "1e99999999", true),
            ("1e99999999", "1e-99999999", false),
            ("1e-99999999", "3", true),
            ("3e-99999999", "1e99999999", false),
            ("7e99999999", "49e99999999", true),
            ("1e99999999", "5", false),
            ("0.0075", "0.075", true),
            (digits, digits + "0", true),
            (digits, "1" + digits, false),
            ("1" + digits + "e-99999999", digits + "e99999999", false),
            (digits + "e-99999999", digits + "e99999999", true),
        ]
        for (step, value, expected) in cases {
            let schema = try CompiledSchema(["multipleOf": try JSONValue(parsing: step)])
            let instance = try JSONValue(parsing: value)
            var valid = false
            let elapsed = timed { valid = schema.isValid(instance) }
            #expect(valid == expected, "\(value.prefix(20)) / \(step.prefix(20))")
            #expect(elapsed < .seconds(5), "\(value.prefix(20)) / \(step.prefix(20)) took \(elapsed)")
        }
    }

    @Test func hugeCountsDoNotOverflow() throws {
        let huge = try JSONValue(parsing: "1e99999999")
        for keyword in ["minLength", "minItems", "minProperties", "minContains"] {
            let schema = try CompiledSchema([keyword: huge, "contains": true])
            #expect(!schema.isValid("abc") || keyword != "minLength", "\(keyword)")
            #expect(!schema.isValid([1, 2]) || keyword == "minLength" || keyword == "minProperties", "\(keyword)")
        }
        for keyword in ["maxLength", "maxItems", "maxProperties", "maxContains"] {
            let schema = try CompiledSchema([keyword: huge, "contains": true])
            #expect(schema.isValid("abc") && schema.isValid([1, 2]) && schema.isValid(["a": 1]), "\(keyword)")
        }
        let numbers = try CompiledSchema(["minimum": try JSONValue(parsing: "-1e99999999"), "maximum": huge])
        #expect(numbers.isValid(try JSONValue(parsing: "1e99999998")))
        #expect(!numbers.isValid(try JSONValue(parsing: "1e100000000")))
    }

    @Test func uniqueItemsOnALargeArrayIsQuick() throws {
        let schema = try CompiledSchema(["uniqueItems": true])
        var items: [JSONValue] = (0..<100_000).map { .number(JSONNumber($0)) }
        var valid = false
        let elapsed = timed { valid = schema.isValid(.array(items)) }
        #expect(valid)
        #expect(elapsed < .seconds(10))
        // Equal by value though spelled differently: 5 and 5.0.
        items.append(try JSONValue(parsing: "5.0"))
        let result = schema.validate(.array(items))
        #expect(result.errors.map(\.message) == ["expected unique items, but items 5 and 100000 are equal"])
    }
}
