import JSON
import JSONSchema
import Testing

@testable import SandboxPolicy

@Suite struct RedactorTests {
    let all = Redactor(classes: RedactionClass.allCases)

    @Test(arguments: [
        ("mail jane.doe+x@example.co.uk now", "mail [REDACTED:EMAIL] now"),
        ("call +1 415 555 0100 today", "call [REDACTED:PHONE] today"),
        ("call (415) 555-0100", "call [REDACTED:PHONE]"),
        ("tel 030-1234567", "tel [REDACTED:PHONE]"),
        ("card 4111 1111 1111 1111 ok", "card [REDACTED:CREDIT_CARD] ok"),
        ("card 4111-1111-1111-1111", "card [REDACTED:CREDIT_CARD]"),
        ("card 5500000000000004", "card [REDACTED:CREDIT_CARD]"),
        ("key sk-proj-abcdefghijklmnopqrstuvwxyz123456", "key [REDACTED:API_KEY]"),
        ("AKIAIOSFODNN7EXAMPLE in config", "[REDACTED:API_KEY] in config"),
        ("token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "token [REDACTED:API_KEY]"),
        ("slack xoxb-123456789012-abcdefghij", "slack [REDACTED:API_KEY]"),
        ("Authorization: Bearer abcdefghijklmnop1234", "Authorization: [REDACTED:API_KEY]"),
        ("stripe sk_live_abcdefghijklmnop1234", "stripe [REDACTED:API_KEY]"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "jwt [REDACTED:API_KEY]"),
        ("google AIzaSyA-abcdefghijklmnopqrstuvwxyz12345", "google [REDACTED:API_KEY]"),
    ])
    func redactsEachClass(_ input: String, _ expected: String) {
        #expect(all.redact(input) == expected)
    }

    @Test(arguments: [
        "order 12345 shipped", "card 4111 1111 1111 1112", "version 1.2.3.4", "year 2024-05-06",
        "sku-abcdefghijklmnopqrstuvwxyz", "skeleton key", "user@localhost", "AKIA too short",
        "invoice INV-2024-000123",
    ])
    func leavesOrdinaryTextAlone(_ input: String) {
        #expect(all.redact(input) == input)
    }

    @Test func onlyEnabledClassesAreRedacted() {
        let emailOnly = Redactor(classes: [.email])
        #expect(emailOnly.redact("a@b.com +1 415 555 0100") == "[REDACTED:EMAIL] +1 415 555 0100")
        #expect(Redactor(classes: []).redact(JSONValue.string("a@b.com")) == "a@b.com")
    }

    @Test func redactsWholePayloadsAndSecretMembers() throws {
        let payload: JSONValue = [
            "to": "jane@example.com",
            "nested": ["notes": ["call 415-555-0100", 42, true]],
            "password": "hunter2",
            "headers": ["Authorization": "opaque"],
        ]
        let redacted = all.redact(payload)
        #expect(redacted["to"] == "[REDACTED:EMAIL]")
        #expect(redacted["nested"]?["notes"] == ["call [REDACTED:PHONE]", 42, true])
        #expect(redacted["password"] == "[REDACTED:API_KEY]")
        #expect(redacted["headers"]?["Authorization"] == "[REDACTED:API_KEY]")
        let policy = try Fixtures.salesAgent()
        #expect(policy.redact(payload) == redacted)
    }

    @Test func pemPrivateKeysAreRedactedWhole() {
        let pem = "k: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done"
        #expect(all.redact(pem) == "k: [REDACTED:API_KEY] done")
    }

    @Test func luhnChecksCardNumbers() {
        #expect(Redactor.luhn(Array("4111 1111 1111 1111".utf8)))
        #expect(!Redactor.luhn(Array("4111 1111 1111 1112".utf8)))
        #expect(Redactor.luhn(Array("79927398713".utf8)))
    }
}

/// Cards next to other numbers: found by the fuzz property (a card followed by `03` or preceded
/// by `6` was left in place, the longer digit run failing Luhn as a whole).
@Suite struct RedactorCardNeighbourTests {
    @Test(arguments: [
        ("card 4111111111111111 12 25", "card [REDACTED:CREDIT_CARD] 12 25"),
        ("qty 6 4111111111111111", "qty 6 [REDACTED:CREDIT_CARD]"),
        // The longest stretch that passes Luhn goes: here the card with the `3` after it.
        ("x 1 2 4111 1111 1111 1111 3 y", "x 1 2 [REDACTED:CREDIT_CARD] y"),
        ("4111111111111111 4g", "[REDACTED:CREDIT_CARD] 4g"),
    ])
    func aCardBesideOtherNumbersIsStillRedacted(_ input: String, _ expected: String) {
        #expect(Redactor(classes: [.creditCard]).redact(input) == expected)
    }
}
