/// A shell wildcard pattern with POSIX `fnmatch` semantics (no flags): `*` matches any run of
/// characters (dots included), `?` matches one character, `[abc]`, `[a-z]` and `[!abc]` (or
/// `[^abc]`) match one character from (or not from) a set, and `\` makes the next character
/// literal. A `[` with no closing `]` is an ordinary character, as in `fnmatch`.
///
/// The pattern is compiled once into a list of tokens over Unicode scalars; matching works on the
/// UTF-8 bytes of the candidate without allocating, with the classic "remember the last star"
/// backtracking, so a match costs at most O(pattern × candidate) steps.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    /// The compiled form, shared by copies (one reference to retain, not three).
    final class Program: Sendable {
        let source: String
        let tokens: [Token]
        let shape: Shape

        init(source: String, tokens: [Token], shape: Shape) {
            self.source = source
            self.tokens = tokens
            self.shape = shape
        }
    }

    let program: Program

    /// The pattern as written.
    public var source: String { program.source }

    enum Token: Sendable, Hashable {
        /// A run of literal bytes (UTF-8).
        case literal([UInt8])
        /// `?`: any one Unicode scalar.
        case anyCharacter
        /// `*`: any run of scalars.
        case anyRun
        /// `[...]`: one scalar in (or, when `negated`, not in) the ranges.
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)
    }

    enum Shape: Sendable, Hashable {
        /// No wildcard at all: byte equality.
        case exact([UInt8])
        /// `literal*`.
        case prefix([UInt8])
        /// `*literal`.
        case suffix([UInt8])
        /// `*`.
        case everything
        /// Anything else: run the token matcher.
        case general
    }

    /// Compiles `pattern`. Every string is a valid `fnmatch` pattern, so this cannot fail.
    public init(_ pattern: String) {
        let tokens = GlobPattern.tokenize(Array(pattern.unicodeScalars))
        program = Program(source: pattern, tokens: tokens, shape: GlobPattern.shape(of: tokens))
    }

    public var description: String { source }

    /// Whether the pattern contains no wildcard (it matches exactly one string).
    public var isLiteral: Bool {
        if case .exact = program.shape { return true }
        return false
    }

    /// Whether `candidate` matches the whole pattern.
    public func matches(_ candidate: String) -> Bool {
        var candidate = candidate
        return candidate.withUTF8 { matches(utf8: $0) }
    }

    /// Whether the UTF-8 bytes `candidate` match the whole pattern.
    public func matches(utf8 candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        switch program.shape {
        case .everything:
            return true
        case .exact(let literal):
            return candidate.count == literal.count && GlobPattern.equal(candidate, at: 0, literal)
        case .prefix(let literal):
            return candidate.count >= literal.count && GlobPattern.equal(candidate, at: 0, literal)
        case .suffix(let literal):
            return candidate.count >= literal.count
                && GlobPattern.equal(candidate, at: candidate.count - literal.count, literal)
        case .general:
            return matchTokens(candidate)
        }
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, _ literal: [UInt8]) -> Bool {
        var index = 0
        while index < literal.count {
            if bytes[offset + index] != literal[index] { return false }
            index += 1
        }
        return true
    }

    /// The backtracking matcher: on a mismatch, retry from the most recent `*` one scalar further
    /// along. Only the last star needs remembering, which bounds the work.
    private func matchTokens(_ candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        let tokens = program.tokens
        var token = 0
        var position = 0
        var starToken = -1
        var starPosition = 0
        while true {
            if token < tokens.count {
                switch tokens[token] {
                case .anyRun:
                    starToken = token
                    starPosition = position
                    token += 1
                    continue
                case .literal(let literal):
                    if candidate.count - position >= literal.count,
                        GlobPattern.equal(candidate, at: position, literal)
                    {
                        position += literal.count
                        token += 1
                        continue
                    }
                case .anyCharacter:
                    if position < candidate.count {
                        position = UTF8Scalars.next(after: position, in: candidate)
                        token += 1
                        continue
                    }
                case .set(let ranges, let negated):
                    if position < candidate.count {
                        let (scalar, next) = UTF8Scalars.decode(at: position, in: candidate)
                        var inSet = false
                        for range in ranges where range.contains(scalar) {
                            inSet = true
                            break
                        }
                        if inSet != negated {
                            position = next
                            token += 1
                            continue
                        }
                    }
                }
            } else if position == candidate.count {
                return true
            }
            // Mismatch: let the last star swallow one more scalar, or fail.
            guard starToken >= 0, starPosition < candidate.count else { return false }
            starPosition = UTF8Scalars.next(after: starPosition, in: candidate)
            position = starPosition
            token = starToken + 1
        }
    }

    private static func tokenize(_ scalars: [Unicode.Scalar]) -> [Token] {
        var tokens: [Token] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty {
                tokens.append(.literal(literal))
                literal.removeAll()
            }
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "*":
                flush()
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                flush()
                tokens.append(.anyCharacter)
                index += 1
            case "[":
                if let (set, next) = parseSet(scalars, from: index) {
                    flush()
                    tokens.append(set)
                    index = next
                } else {
                    literal.append(contentsOf: String(scalar).utf8)
                    index += 1
                }
            case "\\" where index + 1 < scalars.count:
                literal.append(contentsOf: String(scalars[index + 1]).utf8)
                index += 2
            default:
                literal.append(contentsOf: String(scalar).utf8)
                index += 1
            }
        }
        flush()
        return tokens
    }

    /// Parses `[...]` starting at `start` (which holds `[`); nil when there is no closing `]`.
    private static func parseSet(_ scalars: [Unicode.Scalar], from start: Int) -> (Token, Int)? {
        var index = start + 1
        var negated = false
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while index < scalars.count {
            var scalar = scalars[index]
            if scalar == "]" && !first {
                return (.set(ranges: ranges, negated: negated), index + 1)
            }
            first = false
            if scalar == "\\", index + 1 < scalars.count {
                index += 1
                scalar = scalars[index]
            }
            var upper = scalar
            if index + 2 < scalars.count, scalars[index + 1] == "-", scalars[index + 2] != "]" {
                var end = index + 2
                if scalars[end] == "\\", end + 1 < scalars.count { end += 1 }
                upper = scalars[end]
                index = end
            }
            if scalar.value <= upper.value { ranges.append(scalar.value...upper.value) }
            index += 1
        }
        return nil
    }

    private static func shape(of tokens: [Token]) -> Shape {
        switch tokens.count {
        case 0:
            return .exact([])
        case 1:
            if case .literal(let bytes) = tokens[0] { return .exact(bytes) }
            if tokens[0] == .anyRun { return .everything }
        case 2:
            if case .literal(let bytes) = tokens[0], tokens[1] == .anyRun { return .prefix(bytes) }
            if case .literal(let bytes) = tokens[1], tokens[0] == .anyRun { return .suffix(bytes) }
        default:
            break
        }
        return .general
    }

    public static func == (lhs: GlobPattern, rhs: GlobPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
