import TestSupport
import Testing

@testable import JSONSchema

@Suite struct FormatTests {
    static let cases: [(format: String, valid: [String], invalid: [String])] = [
        (
            "email",
            ["a@example.com", "first.last+tag@sub.example.org", "\"quoted here\"@example.com", "a@[127.0.0.1]"],
            ["plain", "a@", "@example.com", ".a@example.com", "a..b@example.com", "a@-example.com"]
        ),
        (
            "uri",
            ["https://example.com/path?q=1#frag", "urn:isbn:0451450523", "mailto:a@example.com", "http://[::1]:8080/"],
            [
                "/relative/path", "https://exa mple.com", "http://example.com/\\x", "https://example.com:80a/",
                "//a@b@c/",
            ]
        ),
        (
            "uri-reference", ["/relative/path", "../up", "#frag", "https://example.com"],
            ["\\\\bad", "a b", "1:colon-first"]
        ),
        (
            "date-time", ["2024-02-29T12:30:00Z", "2024-01-01t00:00:00.123+05:30", "1998-12-31T23:59:60Z"],
            [
                "2023-02-29T12:00:00Z", "2024-01-01 12:00:00Z", "2024-01-01T25:00:00Z", "2024-01-01T12:00:00",
                "1998-12-31T22:59:60Z",
            ]
        ),
        ("date", ["2024-02-29", "2000-12-31"], ["2023-02-29", "2024-13-01", "2024-1-01", "20240101"]),
        ("time", ["23:59:59Z", "08:30:00.5-02:00", "23:59:60Z"], ["24:00:00Z", "08:30:00", "08:30Z", "12:00:60Z"]),
        (
            "ipv4", ["192.168.0.1", "0.0.0.0", "255.255.255.255"],
            ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "١.2.3.4"]
        ),
        (
            "ipv6", ["::1", "2001:db8::8a2e:370:7334", "::ffff:192.168.0.1", "1:2:3:4:5:6:7:8"],
            ["1:2:3:4:5:6:7:8:9", "::1::", "12345::", "1:2:3:4:5:6:7", "[::1]", "::ffff:192.168.0.01"]
        ),
        (
            "hostname", ["example.com", "a-b.c", "localhost", "xn--bcher-kva.example"],
            ["-bad.example", "bad-.example", "a..b", String(repeating: "a", count: 64) + ".com", "under_score.com"]
        ),
        (
            "uuid", ["2eb8aa08-aa98-11ea-b4aa-73b441d16380", "00000000-0000-0000-0000-000000000000"],
            [
                "2eb8aa08aa9811eab4aa73b441d16380", "2eb8aa08-aa98-11ea-b4aa-73b441d1638",
                "zeb8aa08-aa98-11ea-b4aa-73b441d16380",
            ]
        ),
        ("regex", ["^[a-z]+$", "\\d{3}", "(?<name>x)\\k<name>"], ["(unclosed", "[z-a]", "a{2,1}"]),
    ]

    @Test func assertedFormats() throws {
        var options = SchemaOptions()
        options.assertFormats = true
        for (format, valid, invalid) in Self.cases {
            let schema = try CompiledSchema(["format": .string(format)], options: options)
            for text in valid { #expect(schema.isValid(.string(text)), "\(format): \(text) should be valid") }
            for text in invalid { #expect(!schema.isValid(.string(text)), "\(format): \(text) should be invalid") }
            #expect(schema.isValid(42), "\(format) applies to strings only")
        }
    }

    @Test func formatIsAnAnnotationByDefault() throws {
        let schema = try CompiledSchema(["format": "email"])
        #expect(schema.isValid("not an email"))
    }

    @Test func unknownFormatsAreIgnoredEvenWhenAsserting() throws {
        var options = SchemaOptions()
        options.assertFormats = true
        #expect(try CompiledSchema(["format": "x-custom"], options: options).isValid("anything"))
    }

    @Test func errorMessageNamesTheFormat() throws {
        var options = SchemaOptions()
        options.assertFormats = true
        let schema = try CompiledSchema(["properties": ["to": ["format": "email"]]], options: options)
        #expect(
            schema.validate(["to": "bob"]).errors.map(\.description) == ["/to: expected a valid email, got \"bob\""])
    }
}

@Suite struct PatternTests {
    private func matches(_ pattern: String, _ text: String) throws -> Bool {
        try CompiledSchema(["pattern": .string(pattern)]).isValid(.string(text))
    }

    @Test func ecmaClassEscapesAreASCII() throws {
        #expect(try matches("^\\d+$", "123"))
        #expect(try !matches("^\\d+$", "١٢٣"))
        #expect(try matches("^\\w+$", "abc_123"))
        #expect(try !matches("^\\w+$", "é"))
        #expect(try matches("^[\\w-]+$", "a-b"))
        #expect(try !matches("^\\W$", "a"))
        #expect(try matches("^\\s$", "\u{00A0}"))
        #expect(try matches("^\\S+$", "abc"))
    }

    @Test func unicodePropertyEscapes() throws {
        #expect(try matches("^\\p{L}+$", "héllo"))
        #expect(try matches("^\\p{Letter}+$", "日本"))
        #expect(try !matches("^\\p{L}+$", "abc1"))
        #expect(try matches("^\\P{L}+$", "123"))
        #expect(try matches("^\\p{Lu}", "Élan"))
    }

    @Test func anchorsAndDotFollowECMA() throws {
        #expect(try !matches("^abc$", "abc\n"))
        #expect(try !matches("^a.c$", "a\nc"))
        #expect(try matches("^a.c$", "a\u{85}c"))
        #expect(try matches("b", "abc"))
    }

    @Test func literalBracesAndEmptyClasses() throws {
        #expect(try matches("^a{$", "a{"))
        #expect(try matches("^{}$", "{}"))
        #expect(try matches("^x{2}$", "xx"))
        #expect(try !matches("[]", "anything"))
        #expect(try matches("^[^]$", "\n"))
        #expect(try matches("^[a-]$", "-"))
        #expect(try matches("^[[]$", "["))
        #expect(try matches("^[&&]$", "&"))
        #expect(try matches("^\\u0041\\u{42}$", "AB"))
    }

    @Test func invalidPatternsDoNotCompile() {
        #expect(ECMARegex("(a") == nil)
        #expect(ECMARegex("[a") == nil)
        #expect(ECMARegex("\\") == nil)
    }
}

/// The linear-time matcher must agree with ICU (through the ECMA translation) on every pattern
/// it accepts.
@Suite struct LinearRegexTests {
    static let atoms = [
        "a", "b", "c", ".", "\\d", "\\w", "\\s", "\\D", "[a-c]", "[^b]", "[\\d_-]", "(a|bc)", "(?:ab)", "\\.", "-",
        "é", "[]", "[^]", "\\u0062", "x{", "}", "[-a]", "\\t",
    ]
    static let quantifiers = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?"]
    static let subjects = [
        "", "a", "b", "ab", "abc", "aab", "bca", "a-b", "a.b", "x{", "1_2", " \t", "é", "abcabc", "ccc", "a\nb", "}",
    ]

    @Test func agreesWithICUOnGeneratedPatterns() throws {
        var random = SeededGenerator(seed: 99)
        var linearCount = 0
        for _ in 0..<1_500 {
            var pattern = Bool.random(using: &random) ? "^" : ""
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                pattern += Self.atoms.randomElement(using: &random)! + Self.quantifiers.randomElement(using: &random)!
            }
            if Int.random(in: 0..<3, using: &random) == 0 { pattern += "|" + Self.atoms.randomElement(using: &random)! }
            if Bool.random(using: &random) { pattern += "$" }
            guard let regex = ECMARegex(pattern), regex.isLinear else { continue }
            linearCount += 1
            for subject in Self.subjects {
                var budget = ECMARegex.maximumICUProgressReports
                #expect(
                    regex.matches(subject, budget: &budget) == regex.matchesWithICU(subject, budget: &budget),
                    "pattern \(pattern) on \(subject)")
            }
        }
        #expect(linearCount > 1_000)
    }

    @Test func typicalToolPatternsRunLinear() throws {
        for pattern in ["^[A-Za-z0-9-]{1,39}$", "^[A-Z]{3}-[0-9]{4}$", "^[0-9]{5}$", "^\\d{3}-\\d{4}$", "^[a-z_]+$"] {
            #expect(try #require(ECMARegex(pattern)).isLinear, "\(pattern)")
        }
        for pattern in ["\\bword\\b", "^\\p{L}+$", "(a)\\1", "a(?=b)"] {
            #expect(try #require(ECMARegex(pattern)).isLinear == false, "\(pattern)")
        }
    }

    @Test func pathologicalPatternsAreLinear() throws {
        let regex = try #require(ECMARegex("^(a+)+$"))
        #expect(regex.isLinear)
        let text = String(repeating: "a", count: 5_000) + "b"
        let start = ContinuousClock.now
        var budget = 1
        #expect(regex.matches(text, budget: &budget) == false)
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
