import Testing

@testable import JSON

@Suite struct JSONParsingTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(
            parsing: #"{"a": [1, 2.5, -0.0075, true, false, null], "b": "x\n\u00e9\ud83d\ude00"}"#)
        #expect(
            value["a"] == [
                1, .number(JSONNumber(literal: "2.5")!), .number(JSONNumber(literal: "-0.0075")!), true, false, nil,
            ])
        #expect(value["b"] == .string("x\né😀"))
    }

    @Test func serializesWithSortedKeysAndEscapes() throws {
        let value = try JSONValue(parsing: #"{"b": 1.50, "a": "q\"\\\u0001", "c": [1e400, {}]}"#)
        #expect(value.serialized() == #"{"a":"q\"\\\u0001","b":1.5,"c":[1e400,{}]}"#)
        #expect(try JSONValue(parsing: value.serialized(pretty: true)) == value)
    }

    @Test func reportsLineAndColumnOfErrors() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[1,]") }
        do {
            _ = try JSONValue(parsing: "{\n  \"a\" 1}")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 7)
            #expect(error.message.contains("expected ':'"))
        }
    }

    @Test(arguments: [
        "", "01", "1.", ".5", "+1", "[1 2]", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"a\u{01}\"", "tru", "nul",
        "[1] x", "\"\\x\"", "1e", "-",
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func enforcesDepthAndSizeLimits() throws {
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep, maxDepth: 19) }
        _ = try JSONValue(parsing: deep, maxDepth: 20)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[1, 2, 3]", maxBytes: 8) }
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: Array("\"\u{FF}\"".utf8).dropLast(3) + [0x22, 0xFF, 0x22])
        }
    }
}
