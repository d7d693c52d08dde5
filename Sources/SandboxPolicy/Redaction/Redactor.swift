import JSON
import JSONSchema

/// Redacts sensitive text from JSON payloads before they reach the audit log: every string
/// (object values and array items, recursively) is scanned for the enabled classes, and with
/// `API_KEY` enabled, the whole value of a member whose name says it holds a secret
/// (`password`, `api_key`, `authorization`, `token`, ...) is replaced.
///
/// Scanners work on UTF-8 bytes without regular expressions; strings with nothing to redact are
/// returned as they are (no copy).
public struct Redactor: Sendable {
    public let classes: [RedactionClass]

    /// Deepest nesting redacted; deeper values are replaced whole (fail closed).
    public static let maximumDepth = 128

    public init(classes: [RedactionClass]) {
        self.classes = RedactionClass.allCases.filter { classes.contains($0) }
    }

    static let secretMemberNames: Set<String> = [
        "password", "passwd", "secret", "client_secret", "api_key", "apikey", "x-api-key", "access_token",
        "refresh_token", "token", "authorization", "private_key", "auth_token", "session_token", "cookie",
        "set-cookie",
    ]

    /// `value` with every span of an enabled class replaced by its placeholder.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard !classes.isEmpty else { return value }
        return redact(value, depth: 0)
    }

    private func redact(_ value: JSONValue, depth: Int) -> JSONValue {
        guard depth < Redactor.maximumDepth else { return .string("[REDACTED:DEPTH]") }
        switch value {
        case .string(let text):
            return .string(redact(text))
        case .array(let items):
            return .array(items.map { redact($0, depth: depth + 1) })
        case .object(let members):
            var result = members
            for (key, member) in members {
                if redactsSecrets, Redactor.isSecretMemberName(key), member != .null {
                    result[key] = .string(RedactionClass.apiKey.placeholder)
                } else {
                    let redacted = redact(member, depth: depth + 1)
                    if redacted != member { result[key] = redacted }
                }
            }
            return .object(result)
        default:
            return value
        }
    }

    private var redactsSecrets: Bool { classes.contains(.apiKey) }

    static func isSecretMemberName(_ key: String) -> Bool {
        key.utf8.count <= 16 && secretMemberNames.contains(key.lowercased())
    }

    /// The order classes are searched in: keys first (they contain digits), cards before phones.
    static let searchOrder: [RedactionClass] = [.apiKey, .email, .creditCard, .phone]

    /// `text` with every span of an enabled class replaced.
    public func redact(_ text: String) -> String {
        // A quick look first: most strings hold no `@` and few digits.
        var at = false
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "@") { at = true } else if Redactor.isDigit(byte) { digits += 1 }
        }
        let wanted = classes.filter { kind in
            switch kind {
            case .email: return at
            case .phone: return digits >= 7
            case .creditCard: return digits >= 13
            case .apiKey: return true
            }
        }
        guard !wanted.isEmpty else { return text }
        var copy = text
        return copy.withUTF8 { bytes in
            // Accepted spans, sorted and disjoint: a span found later that overlaps one already
            // taken is dropped. Each check is a binary search, so many matches stay cheap.
            var spans: [(Range<Int>, RedactionClass)] = []
            for kind in Redactor.searchOrder where wanted.contains(kind) {
                var taken: [(Range<Int>, RedactionClass)] = []
                var takenEnd = 0
                let found = Redactor.find(kind, in: bytes).sorted { $0.lowerBound < $1.lowerBound }
                for span in found where span.lowerBound >= takenEnd && !Redactor.overlaps(span, spans) {
                    taken.append((span, kind))
                    takenEnd = span.upperBound
                }
                spans = Redactor.merge(spans, taken)
            }
            guard !spans.isEmpty else { return text }
            var output: [UInt8] = []
            var position = 0
            for (span, kind) in spans {
                output.append(contentsOf: bytes[position..<span.lowerBound])
                output.append(contentsOf: kind.placeholder.utf8)
                position = span.upperBound
            }
            output.append(contentsOf: bytes[position...])
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// Whether `span` overlaps one of `sorted` (sorted by start, disjoint).
    static func overlaps(_ span: Range<Int>, _ sorted: [(Range<Int>, RedactionClass)]) -> Bool {
        // The first span that ends after `span` starts; it overlaps when it starts before `span` ends.
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].0.upperBound <= span.lowerBound { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low].0.lowerBound < span.upperBound
    }

    /// Two sorted, mutually disjoint span lists as one sorted list.
    static func merge(
        _ a: [(Range<Int>, RedactionClass)], _ b: [(Range<Int>, RedactionClass)]
    ) -> [(Range<Int>, RedactionClass)] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var merged: [(Range<Int>, RedactionClass)] = []
        merged.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].0.lowerBound < b[j].0.lowerBound) {
                merged.append(a[i])
                i += 1
            } else {
                merged.append(b[j])
                j += 1
            }
        }
        return merged
    }

    static func find(_ kind: RedactionClass, in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        switch kind {
        case .email: return emails(bytes)
        case .phone: return digitRuns(bytes, card: false)
        case .creditCard: return digitRuns(bytes, card: true)
        case .apiKey: return apiKeys(bytes)
        }
    }

    // MARK: scanners

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }

    /// Whether a number may start after `byte`: not inside a word or an identifier like `INV-2024`.
    static func isBoundary(_ byte: UInt8) -> Bool {
        !isAlphanumeric(byte) && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "_") && byte != UInt8(ascii: ".")
            && byte != UInt8(ascii: "/")
    }

    static func emails(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        func isLocal(_ byte: UInt8) -> Bool {
            isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "%")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
        func isDomain(_ byte: UInt8) -> Bool {
            isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        var spans: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "@") else {
                index += 1
                continue
            }
            var start = index
            while start > 0, isLocal(bytes[start - 1]) { start -= 1 }
            var end = index + 1
            while end < bytes.count, isDomain(bytes[end]) { end += 1 }
            while end > index + 1, bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-") {
                end -= 1
            }
            let domain = bytes[(index + 1)..<end]
            if start < index, let lastDot = domain.lastIndex(of: UInt8(ascii: ".")), lastDot > index + 1,
                end - lastDot - 1 >= 2, bytes[(lastDot + 1)..<end].allSatisfy(isLetter)
            {
                spans.append(start..<end)
            }
            index = max(end, index + 1)
        }
        return spans
    }

    /// The longest run of digits and separators read as one (a card inside a longer run of
    /// numbers is still found within it; a phone number never is that long).
    static let maximumRunDigits = 48

    /// Runs of digits joined by single separators. Cards: 13–19 digits passing Luhn. Phones:
    /// 10–15 digits (E.164), or 7–9 written international style (`+` and separators).
    static func digitRuns(_ bytes: UnsafeBufferPointer<UInt8>, card: Bool) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            let startsWithPlus =
                bytes[index] == UInt8(ascii: "+") && index + 1 < bytes.count && isDigit(bytes[index + 1])
            let startsWithParen =
                bytes[index] == UInt8(ascii: "(") && index + 1 < bytes.count && isDigit(bytes[index + 1])
            guard isDigit(bytes[index]) || (!card && (startsWithPlus || startsWithParen)),
                index == 0 || isBoundary(bytes[index - 1])
            else {
                index += 1
                continue
            }
            let start = index
            var digitCount = 0
            var separators = 0
            var end = index
            var cursor = index
            if !isDigit(bytes[cursor]) { cursor += 1 }
            while cursor < bytes.count, digitCount <= Redactor.maximumRunDigits {
                let byte = bytes[cursor]
                if isDigit(byte) {
                    digitCount += 1
                    cursor += 1
                    end = cursor
                    continue
                }
                let isSeparator =
                    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")
                    || (!card && (byte == UInt8(ascii: ".") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "(")))
                // A separator (or `) `) must be followed by a digit to continue the run.
                var next = cursor + 1
                if byte == UInt8(ascii: ")"), next < bytes.count, bytes[next] == UInt8(ascii: " ") { next += 1 }
                guard isSeparator, next < bytes.count, isDigit(bytes[next]) else { break }
                separators += 1
                cursor = next
            }
            let followedByWord = end < bytes.count && isAlphanumeric(bytes[end])
            if card {
                if let span = cardSpan(bytes, start, end, whole: !followedByWord) {
                    spans.append(span)
                    end = span.upperBound
                }
            } else if !followedByWord, (7...15).contains(digitCount),
                digitCount >= 10 || (startsWithPlus && separators > 0)
            {
                spans.append(start..<end)
            }
            index = max(end, index + 1)
        }
        return spans
    }

    /// The card number in the digit run `start..<end`: the whole run (when `whole`) if it is
    /// one, else the leftmost longest stretch between separators that is one (13–19 digits
    /// passing Luhn), so that `qty 6 4111111111111111 12/25` still loses its card number. Runs
    /// are at most ``maximumRunDigits`` digits, so the search stays small.
    static func cardSpan(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, whole: Bool) -> Range<Int>? {
        func isCard(_ from: Int, _ to: Int) -> Bool {
            var digits = 0
            for offset in from..<to where isDigit(bytes[offset]) { digits += 1 }
            return (13...19).contains(digits) && luhn(bytes[from..<to])
        }
        if whole, isCard(start, end) { return start..<end }
        var from = start
        while from < end {
            if from == start || !isDigit(bytes[from - 1]) {
                if from > start, whole, isCard(from, end) { return from..<end }
                var to = end - 1
                while to > from + 12 {
                    if !isDigit(bytes[to]), isCard(from, to) { return from..<to }
                    to -= 1
                }
            }
            from += 1
        }
        return nil
    }

    /// The Luhn check over the digits of `text` (separators skipped).
    static func luhn<Text: BidirectionalCollection<UInt8>>(_ text: Text) -> Bool {
        var sum = 0
        var offset = 0
        for byte in text.reversed() where isDigit(byte) {
            var value = Int(byte - 0x30)
            defer { offset += 1 }
            if offset % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// Token shapes of common providers: prefix, minimum length of the random part, and the
    /// characters that part may use.
    struct TokenShape: Sendable {
        let prefix: [UInt8]
        let minimumBody: Int
        let caseInsensitivePrefix: Bool

        init(_ prefix: String, _ minimumBody: Int, caseInsensitive: Bool = false) {
            self.prefix = Array(prefix.utf8)
            self.minimumBody = minimumBody
            self.caseInsensitivePrefix = caseInsensitive
        }
    }

    static let tokenShapes: [TokenShape] = [
        TokenShape("sk-", 20),  // OpenAI, Anthropic (sk-ant-...), DeepSeek
        TokenShape("sk_live_", 16), TokenShape("sk_test_", 16), TokenShape("rk_live_", 16),
        TokenShape("rk_test_", 16), TokenShape("whsec_", 16),  // Stripe
        TokenShape("AKIA", 16), TokenShape("ASIA", 16),  // AWS access key ids
        TokenShape("ghp_", 30), TokenShape("gho_", 30), TokenShape("ghu_", 30), TokenShape("ghs_", 30),
        TokenShape("ghr_", 30), TokenShape("github_pat_", 30),  // GitHub
        TokenShape("glpat-", 20),  // GitLab
        TokenShape("xoxb-", 10), TokenShape("xoxp-", 10), TokenShape("xoxa-", 10), TokenShape("xoxr-", 10),
        TokenShape("xoxs-", 10), TokenShape("xapp-", 10),  // Slack
        TokenShape("AIza", 30),  // Google API keys
        TokenShape("hf_", 30),  // Hugging Face
        TokenShape("npm_", 30),  // npm
        TokenShape("SG.", 30),  // SendGrid
        TokenShape("pypi-", 30),  // PyPI
        TokenShape("eyJ", 20),  // JWTs (base64url of `{"`)
        TokenShape("Bearer ", 16, caseInsensitive: true), TokenShape("Basic ", 12, caseInsensitive: true),
    ]

    static func isTokenByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
    }

    static func apiKeys(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = 0
        outer: while index < bytes.count {
            if index > 0, isAlphanumeric(bytes[index - 1]) {
                index += 1
                continue
            }
            for shape in tokenShapes where index + shape.prefix.count <= bytes.count {
                var matches = true
                for (offset, expected) in shape.prefix.enumerated() {
                    let actual = bytes[index + offset]
                    if actual != expected && !(shape.caseInsensitivePrefix && actual | 0x20 == expected | 0x20) {
                        matches = false
                        break
                    }
                }
                guard matches else { continue }
                var end = index + shape.prefix.count
                while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
                if end - index - shape.prefix.count >= shape.minimumBody {
                    spans.append(index..<end)
                    index = end
                    continue outer
                }
            }
            // PEM private keys: redact the whole block.
            if bytes[index] == UInt8(ascii: "-"), let end = pemBlockEnd(bytes, from: index) {
                spans.append(index..<end)
                index = end
                continue
            }
            index += 1
        }
        return spans
    }

    static let pemBegin = Array("-----BEGIN ".utf8)
    static let pemEnd = Array("-----END ".utf8)

    static func pemBlockEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard bytes[start...].starts(with: pemBegin) else { return nil }
        let header = bytes[start..<min(bytes.count, start + 64)]
        guard String(decoding: header, as: UTF8.self).contains("PRIVATE KEY") else { return nil }
        var index = start + pemBegin.count
        while index < bytes.count {
            if bytes[index...].starts(with: pemEnd) {
                var end = index + pemEnd.count
                var dashes = 0
                while end < bytes.count, dashes < 5 {
                    if bytes[end] == UInt8(ascii: "-") { dashes += 1 }
                    end += 1
                }
                return end
            }
            index += 1
        }
        return bytes.count
    }
}
