extension LinearRegex {
    /// Recursive-descent parser for the supported subset; nil for anything else.
    struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0
        var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func parse() -> Node? {
            guard let node = parseAlternation(), index == scalars.count else { return nil }
            return node
        }

        private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        private mutating func parseAlternation() -> Node? {
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return nil }
            var branches: [Node] = []
            while true {
                guard let branch = parseSequence() else { return nil }
                branches.append(branch)
                guard current == "|" else { break }
                index += 1
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func parseSequence() -> Node? {
            var parts: [Node] = []
            while let scalar = current, scalar != "|", scalar != ")" {
                guard var atom = parseAtom() else { return nil }
                if let (minimum, maximum) = parseQuantifier() {
                    switch atom {
                    case .start, .end, .empty: return nil
                    default: break
                    }
                    atom = .repetition(atom, min: minimum, max: maximum)
                    if current == "?" { index += 1 }
                    if let next = current, "*+?".unicodeScalars.contains(next) { return nil }
                    if current == "{", isQuantifierBrace() { return nil }
                }
                parts.append(atom)
            }
            if parts.isEmpty { return .empty }
            return parts.count == 1 ? parts[0] : .concat(parts)
        }

        /// Whether the `{` at `index` starts a valid `{n}`, `{n,}` or `{n,m}`.
        private func isQuantifierBrace() -> Bool { quantifierBrace() != nil }

        private func quantifierBrace() -> (Int, Int?, Int)? {
            var cursor = index + 1
            func number() -> Int? {
                let start = cursor
                var value = 0
                while cursor < scalars.count, scalars[cursor].value >= 0x30, scalars[cursor].value <= 0x39 {
                    value = min(value * 10 + Int(scalars[cursor].value - 0x30), 100_000)
                    cursor += 1
                }
                return cursor > start ? value : nil
            }
            guard let minimum = number() else { return nil }
            var maximum: Int? = minimum
            if cursor < scalars.count && scalars[cursor] == "," {
                cursor += 1
                maximum = number()
            }
            guard cursor < scalars.count, scalars[cursor] == "}" else { return nil }
            return (minimum, maximum, cursor + 1)
        }

        private mutating func parseQuantifier() -> (Int, Int?)? {
            switch current {
            case "*":
                index += 1
                return (0, nil)
            case "+":
                index += 1
                return (1, nil)
            case "?":
                index += 1
                return (0, 1)
            case "{":
                guard let (minimum, maximum, after) = quantifierBrace() else { return nil }
                if let maximum, maximum < minimum { return nil }
                index = after
                return (minimum, maximum)
            default:
                return nil
            }
        }

        private mutating func parseAtom() -> Node? {
            guard let scalar = current else { return nil }
            index += 1
            switch scalar {
            case "^": return .start
            case "$": return .end
            case ".": return .set(ScalarSet(LinearRegex.lineTerminators, negated: true))
            case "(":
                if current == "?" {
                    // Only non-capturing and named groups; lookaround goes to ICU.
                    guard index + 1 < scalars.count else { return nil }
                    if scalars[index + 1] == ":" {
                        index += 2
                    } else if scalars[index + 1] == "<", index + 2 < scalars.count,
                        scalars[index + 2] != "=", scalars[index + 2] != "!",
                        let close = scalars[index...].firstIndex(of: ">")
                    {
                        index = close + 1
                    } else {
                        return nil
                    }
                }
                guard let inner = parseAlternation(), current == ")" else { return nil }
                index += 1
                return inner
            case ")", "*", "+", "?": return nil
            case "[": return parseClass()
            case "{":
                // Annex B: a brace that is not a quantifier is literal; one that is has nothing to repeat.
                index -= 1
                if isQuantifierBrace() { return nil }
                index += 1
                return .scalar(scalar.value)
            case "\\":
                guard let escaped = parseEscape(inClass: false) else { return nil }
                return escaped.count == 1 && escaped[0].count == 1 && !isClassEscape
                    ? .scalar(escaped[0].lowerBound) : .set(ScalarSet(escaped, negated: negatedEscape))
            default:
                return .scalar(scalar.value)
            }
        }

        /// Set by `parseEscape` for `\D \W \S`.
        private var negatedEscape = false
        private var isClassEscape = false

        /// The ranges an escape stands for; nil if unsupported.
        private mutating func parseEscape(inClass: Bool) -> [ClosedRange<UInt32>]? {
            negatedEscape = false
            isClassEscape = false
            guard let scalar = current else { return nil }
            index += 1
            switch scalar {
            case "d", "D", "w", "W", "s", "S":
                isClassEscape = true
                negatedEscape = scalar == "D" || scalar == "W" || scalar == "S"
                switch scalar {
                case "d", "D": return LinearRegex.digits
                case "w", "W": return LinearRegex.word
                default: return LinearRegex.whitespace
                }
            case "t": return [0x09...0x09]
            case "n": return [0x0A...0x0A]
            case "r": return [0x0D...0x0D]
            case "f": return [0x0C...0x0C]
            case "v": return [0x0B...0x0B]
            case "0":
                if let next = current, ("0"..."9").contains(next) { return nil }
                return [0...0]
            case "b" where inClass: return [0x08...0x08]
            case "x":
                guard let value = hex(count: 2) else { return nil }
                return [value...value]
            case "u":
                if current == "{" {
                    guard let close = scalars[index...].firstIndex(of: "}"), close > index + 1,
                        let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 1)..<close])), radix: 16),
                        value <= 0x10FFFF
                    else { return nil }
                    index = close + 1
                    return [value...value]
                }
                guard let value = hex(count: 4) else { return nil }
                return [value...value]
            default:
                // Letters and digits are escapes this matcher does not know (\b, \p, \1, \k, \c ...);
                // anything else escapes itself.
                if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) { return nil }
                return [scalar.value...scalar.value]
            }
        }

        private mutating func hex(count: Int) -> UInt32? {
            guard index + count <= scalars.count else { return nil }
            guard let value = UInt32(String(String.UnicodeScalarView(scalars[index..<(index + count)])), radix: 16)
            else { return nil }
            index += count
            return value
        }

        private mutating func parseClass() -> Node? {
            var negated = false
            if current == "^" {
                negated = true
                index += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var extraSets: [ScalarSet] = []
            while let scalar = current, scalar != "]" {
                guard let low = parseClassAtom() else { return nil }
                if case .set(let set) = low {
                    extraSets.append(set)
                    continue
                }
                guard case .single(let lower) = low else { return nil }
                if current == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                    index += 1
                    guard let high = parseClassAtom(), case .single(let upper) = high, lower <= upper else {
                        return nil
                    }
                    ranges.append(lower...upper)
                } else {
                    ranges.append(lower...lower)
                }
            }
            guard current == "]" else { return nil }
            index += 1
            // Union the ranges with the class escapes' sets (expanded back to ranges).
            for set in extraSets { ranges.append(contentsOf: set.ranges) }
            return .set(ScalarSet(ranges, negated: negated))
        }

        private enum ClassAtom {
            case single(UInt32)
            case set(ScalarSet)
        }

        private mutating func parseClassAtom() -> ClassAtom? {
            guard let scalar = current else { return nil }
            index += 1
            guard scalar == "\\" else { return .single(scalar.value) }
            guard let ranges = parseEscape(inClass: true) else { return nil }
            if isClassEscape { return .set(ScalarSet(ranges, negated: negatedEscape)) }
            return .single(ranges[0].lowerBound)
        }
    }
}
