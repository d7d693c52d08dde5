extension JSONValue {
    /// Parses strict JSON (RFC 8259) text.
    ///
    /// Limits, each failing with a ``JSONParseError``: `maxBytes` of input, `maxDepth` nested
    /// arrays and objects (default 128, which a debug build parses within 448 KiB of stack),
    /// number literals of at most ``JSONParser/maximumNumberDigits`` digits and
    /// exponents of at most ±``JSONNumber/maximumExponent``. Duplicate object keys, lone UTF-16
    /// surrogates and invalid UTF-8 are rejected rather than guessed at.
    public init(parsing text: String, maxDepth: Int = 128, maxBytes: Int = 16 << 20) throws(JSONParseError) {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buffer in
            JSONParser.parse(buffer, maxDepth: maxDepth, maxBytes: maxBytes)
        }
        self = try result.get()
    }

    /// Parses strict JSON (RFC 8259) from UTF-8 bytes; see ``init(parsing:maxDepth:maxBytes:)-(String,_,_)``.
    public init(parsing bytes: [UInt8], maxDepth: Int = 128, maxBytes: Int = 16 << 20) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            JSONParser.parse(buffer, maxDepth: maxDepth, maxBytes: maxBytes)
        }
        self = try result.get()
    }
}

/// A failure at a byte offset; turned into a line and column at the public boundary.
struct JSONParseFailure: Error {
    var offset: Int
    var message: String
}

/// A recursive-descent parser over UTF-8 bytes.
struct JSONParser {
    /// The longest number literal accepted, in digits.
    static let maximumNumberDigits = 10_000
    /// Members or elements a non-empty object or array gets room for before the first.
    static let smallCollection = 4

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    private let stack = StackGuard(budget: StackGuard.defaultBudget)

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private func checkDepth(_ depth: Int) throws(JSONParseFailure) {
        if depth > maxDepth { throw failure("nesting deeper than the limit of \(maxDepth)") }
        if depth & 7 == 0 && stack.isExhausted {
            throw failure("nesting too deep for the parser's stack budget (depth \(depth))")
        }
    }

    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, maxBytes: Int
    ) -> Result<JSONValue, JSONParseError> {
        if bytes.count > maxBytes {
            return .failure(
                JSONParseError(
                    line: 1, column: 1, message: "document is \(bytes.count) bytes, more than the limit of \(maxBytes)")
            )
        }
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        do throws(JSONParseFailure) {
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.index < bytes.count {
                throw JSONParseFailure(offset: parser.index, message: "unexpected text after the JSON value")
            }
            return .success(value)
        } catch {
            return .failure(position(of: error, in: bytes))
        }
    }

    static func position(of failure: JSONParseFailure, in bytes: UnsafeBufferPointer<UInt8>) -> JSONParseError {
        var line = 1
        var lineStart = 0
        for offset in 0..<min(failure.offset, bytes.count) where bytes[offset] == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
        }
        return JSONParseError(line: line, column: failure.offset - lineStart + 1, message: failure.message)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func failure(_ message: String) -> JSONParseFailure {
        JSONParseFailure(offset: index, message: message)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    private mutating func parseValue(depth: Int) throws(JSONParseFailure) -> JSONValue {
        guard index < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try JSONNumber.scan(bytes, at: &index))
        default:
            throw failure("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONParseFailure) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        guard index + count <= bytes.count else { throw failure("unexpected end of input, expected \(word)") }
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw failure("unexpected \(describeCurrent()), expected \(word)")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseFailure) -> JSONValue {
        try checkDepth(depth)
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        // Room for a small object's members at once: growing one by one reallocates twice for
        // three members.
        var members = JSONObject(minimumCapacity: JSONParser.smallCollection)
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("unexpected \(describeCurrent()), expected a string key")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw failure("unexpected \(describeCurrent()), expected ':' after an object key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if members.offset(of: key) != nil {
                throw JSONParseFailure(offset: keyOffset, message: "duplicate object key \"\(key)\"")
            }
            members.append(key, value)
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of input, expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            throw failure("unexpected \(describeCurrent()), expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseFailure) -> JSONValue {
        try checkDepth(depth)
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        var elements: [JSONValue] = []
        elements.reserveCapacity(JSONParser.smallCollection)
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of input, expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            throw failure("unexpected \(describeCurrent()), expected ',' or ']'")
        }
    }

    private mutating func parseString() throws(JSONParseFailure) -> String {
        let quote = index
        index += 1
        let start = index
        // Fast path: no escapes.
        var high: UInt8 = 0  // every byte or-ed: below 0x80, the string is ASCII
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                // ASCII is valid UTF-8 as it stands; the generic validation, unspecialised, cost
                // about 500 instructions a string.
                if high < 0x80 {
                    index += 1
                    return String(decoding: slice, as: UTF8.self)
                }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseFailure(offset: quote, message: "string is not valid UTF-8")
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character in string (escape it)") }
            high |= byte
            index += 1
        }
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw JSONParseFailure(offset: quote, message: "string is not valid UTF-8")
                }
                index += 1
                return text
            }
            if byte < 0x20 { throw failure("control character in string (escape it)") }
            if byte != UInt8(ascii: "\\") {
                scratch.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw failure("lone UTF-16 surrogate in \\u escape") }
                    index += 2
                    let low = try parseHex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw failure("lone UTF-16 surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw failure("lone UTF-16 surrogate in \\u escape")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                scratch.append(contentsOf: UTF8.encode(unicode)!)
            default:
                index -= 1
                throw failure("invalid escape \\\(describeCurrent())")
            }
        }
        throw JSONParseFailure(offset: quote, message: "unterminated string")
    }

    private mutating func parseHex4() throws(JSONParseFailure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("unexpected end of input in \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw failure("invalid hex digit \(describeCurrent()) in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

extension JSONNumber {
    /// Scans a JSON number literal at `index`, leaving `index` after it.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) throws(JSONParseFailure) -> JSONNumber {
        let start = index
        let isNegative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if isNegative { index += 1 }
        let integerStart = index
        func isDigit(_ i: Int) -> Bool {
            i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
        }
        guard isDigit(index) else {
            throw JSONParseFailure(offset: index, message: "invalid number: expected a digit")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw JSONParseFailure(offset: index, message: "invalid number: leading zero") }
        } else {
            while isDigit(index) { index += 1 }
        }
        let integerEnd = index
        var fractionStart = index
        var fractionEnd = index
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            guard isDigit(index) else {
                throw JSONParseFailure(offset: index, message: "invalid number: expected a digit after '.'")
            }
            while isDigit(index) { index += 1 }
            fractionEnd = index
        }
        var exponent = 0
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            var negativeExponent = false
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard isDigit(index) else {
                throw JSONParseFailure(offset: index, message: "invalid number: expected a digit in the exponent")
            }
            while isDigit(index) {
                if exponent <= JSONNumber.maximumExponent { exponent = exponent * 10 + Int(bytes[index] - 48) }
                index += 1
            }
            if exponent > JSONNumber.maximumExponent {
                throw JSONParseFailure(
                    offset: start, message: "number exponent beyond ±\(JSONNumber.maximumExponent)")
            }
            if negativeExponent { exponent = -exponent }
        }
        let integerDigits = integerEnd - integerStart
        let fractionDigits = fractionEnd - fractionStart
        if integerDigits + fractionDigits > JSONParser.maximumNumberDigits {
            throw JSONParseFailure(
                offset: start, message: "number literal longer than \(JSONParser.maximumNumberDigits) digits")
        }
        if integerDigits + fractionDigits <= JSONNumber.maximumFractionDigits {
            var value: Int64 = 0
            for offset in integerStart..<integerEnd { value = value * 10 + Int64(bytes[offset] - 48) }
            for offset in fractionStart..<fractionEnd { value = value * 10 + Int64(bytes[offset] - 48) }
            let number = JSONNumber.compact(
                isNegative: isNegative, magnitude: value, exponent: exponent - fractionDigits)
            if let number { return number }
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(integerDigits + fractionDigits)
        for offset in integerStart..<integerEnd { digits.append(bytes[offset] - 48) }
        for offset in fractionStart..<fractionEnd { digits.append(bytes[offset] - 48) }
        return normalized(isNegative: isNegative, digits: digits, exponent: exponent - fractionDigits)
    }
}
