extension ECMARegex {
    private static let whitespace =
        #"\t\n\x{B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}"#
    private static let word = "a-zA-Z0-9_"

    /// ECMA-262 pattern text to ICU pattern text; nil for syntax ICU cannot express.
    static func translate(_ source: String) -> String? {
        var translator = Translator(scalars: Array(source.unicodeScalars))
        return translator.run()
    }

    /// One pass over an ECMA-262 pattern, writing the ICU equivalent.
    private struct Translator {
        let scalars: [Unicode.Scalar]
        var output = ""
        var index = 0
        var inClass = false
        var classStart = false
        /// Whether the last thing emitted inside a class can start a range.
        var classAtom = false

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }
        static func isHex(_ scalar: Unicode.Scalar) -> Bool {
            isDigit(scalar) || (scalar >= "a" && scalar <= "f") || (scalar >= "A" && scalar <= "F")
        }

        mutating func run() -> String? {
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\\" {
                    guard index + 1 < scalars.count else { return nil }
                    let next = scalars[index + 1]
                    index += 2
                    guard escape(next) else { return nil }
                    classAtom = inClass
                    classStart = false
                    continue
                }
                index += 1
                if inClass {
                    classMember(scalar)
                } else {
                    plain(scalar)
                }
            }
            return inClass ? nil : output
        }

        /// The escape of `next` (the backslash and `next` already consumed); false if ICU cannot express it.
        private mutating func escape(_ next: Unicode.Scalar) -> Bool {
            switch next {
            case "d": output += inClass ? "0-9" : "[0-9]"
            case "D": output += "[^0-9]"
            case "w": output += inClass ? ECMARegex.word : "[\(ECMARegex.word)]"
            case "W": output += "[^\(ECMARegex.word)]"
            case "s": output += inClass ? ECMARegex.whitespace : "[\(ECMARegex.whitespace)]"
            case "S": output += "[^\(ECMARegex.whitespace)]"
            case "b" where inClass: output += "\\x{8}"
            case "0" where index >= scalars.count || !Translator.isDigit(scalars[index]): output += "\\x{0}"
            case "u": return unicodeEscape()
            case "p", "P":
                guard index < scalars.count, scalars[index] == "{", let close = scalars[index...].firstIndex(of: "}")
                else { return false }
                output += "\\" + String(next) + String(String.UnicodeScalarView(scalars[index...close]))
                index = close + 1
            case "c", "x", "k", "B", "b", "t", "n", "r", "f", "v", "1"..."9":
                output += next == "v" ? "\\x{B}" : "\\" + String(next)
            default:
                // Identity escape: the character itself, literally.
                output += ECMARegex.literal(next)
            }
            return true
        }

        /// `\u{...}`, `\uXXXX`, or a lone `u`; false for an unclosed `\u{`.
        private mutating func unicodeEscape() -> Bool {
            if index < scalars.count && scalars[index] == "{" {
                guard let close = scalars[index...].firstIndex(of: "}") else { return false }
                output += "\\x{" + String(String.UnicodeScalarView(scalars[(index + 1)..<close])) + "}"
                index = close + 1
            } else if index + 4 <= scalars.count && scalars[index..<(index + 4)].allSatisfy(Translator.isHex) {
                output += "\\x{" + String(String.UnicodeScalarView(scalars[index..<(index + 4)])) + "}"
                index += 4
            } else {
                output += "u"
            }
            return true
        }

        /// A scalar inside `[...]`.
        private mutating func classMember(_ scalar: Unicode.Scalar) {
            switch scalar {
            case "]" where classStart:
                // `[]` matches nothing and `[^]` anything.
                if output.hasSuffix("[^") {
                    output.removeLast(2)
                    output += "[\\x{0}-\\x{10FFFF}]"
                } else {
                    output.removeLast()
                    output += "(?!)"
                }
                inClass = false
            case "]":
                output += "]"
                inClass = false
            case "^" where classStart && output.hasSuffix("["):
                output += "^"
                return
            case "-":
                let nextIsEnd = index >= scalars.count || scalars[index] == "]"
                output += classAtom && !nextIsEnd ? "-" : "\\-"
                classAtom = false
                classStart = false
                return
            default:
                output += ECMARegex.literal(scalar)
            }
            classAtom = true
            classStart = false
        }

        /// A scalar outside a class.
        private mutating func plain(_ scalar: Unicode.Scalar) {
            switch scalar {
            case "[":
                output += "["
                inClass = true
                classStart = true
                classAtom = false
            case "$": output += "\\z"
            case ".": output += "[^\\n\\r\\x{2028}\\x{2029}]"
            case "{":
                var end = index
                while end < scalars.count && (Translator.isDigit(scalars[end]) || scalars[end] == ",") { end += 1 }
                let body = String(String.UnicodeScalarView(scalars[index..<end]))
                let isQuantifier =
                    end < scalars.count && scalars[end] == "}" && !body.isEmpty
                    && Translator.isDigit(body.unicodeScalars.first!) && body.filter({ $0 == "," }).count <= 1
                if isQuantifier {
                    output += "{" + body + "}"
                    index = end + 1
                } else {
                    output += "\\{"
                }
            case "}": output += "\\}"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    /// `scalar` as an ICU literal: ASCII punctuation escaped, anything else as is.
    fileprivate static func literal(_ scalar: Unicode.Scalar) -> String {
        if scalar.isASCII, !(scalar.properties.isAlphabetic || (scalar >= "0" && scalar <= "9")), scalar.value > 0x20 {
            return "\\" + String(scalar)
        }
        if scalar.value < 0x20 || scalar == " " { return "\\x{" + String(scalar.value, radix: 16) + "}" }
        return String(scalar)
    }
}
