/// A linear-time matcher for the everyday subset of ECMA-262 patterns: literals, `.`, classes
/// (`[a-z0-9_-]`, `[^...]`, `\d \w \s` and their negations), `^`, `$`, groups, `|`, and the
/// quantifiers `* + ? {n} {n,} {n,m}` (lazy or greedy: the same for a yes/no match).
///
/// Patterns with anything else (back-references, lookaround, `\b`, `\p{...}`) return nil from
/// `init` and are run by ICU instead. The matcher is a Pike VM over Unicode scalars: every
/// (instruction, position) pair is visited at most once, so matching time is linear in the input
/// whatever the pattern, and it does not cross into Foundation, which makes typical tool-parameter
/// patterns an order of magnitude faster than `NSRegularExpression`.
final class LinearRegex: Sendable {
    let program: [Instruction]
    let sets: [ScalarSet]
    /// A pattern starting with `^`: only the first position can start a match.
    let anchored: Bool
    /// For patterns that are `^` then a sequence of classes with counts (`^[a-z0-9-]{1,39}$`,
    /// `^[A-Z]{3}-[0-9]{4}$`) where a single greedy pass decides: a direct scan, no VM.
    let runs: Runs?

    /// The largest compiled program accepted (counted repetitions expand); bigger patterns go
    /// to ICU.
    static let maximumProgramLength = 4_096

    init?(_ source: String) {
        var parser = Parser(Array(source.unicodeScalars))
        guard let tree = parser.parse() else { return nil }
        var compiler = Compiler()
        guard compiler.emit(tree), compiler.program.count < LinearRegex.maximumProgramLength else { return nil }
        compiler.program.append(.match)
        program = compiler.program
        sets = compiler.sets
        if case .concat(let parts) = tree, case .start? = parts.first {
            anchored = true
        } else {
            anchored = tree.isStart
        }
        runs = LinearRegex.runs(of: tree)
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({ match($0) }) { return result }
        var copy = text
        return copy.withUTF8 { match($0) }
    }

    func match(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if runs != nil { return matchRuns(runs!, bytes) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: program.count * 7) { memory in
            run(bytes, memory)
        }
    }
}
