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
    /// A set of scalars: sorted, merged ranges, with an ASCII bitmap for the common case.
    struct ScalarSet: Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var asciiLow: UInt64 = 0
        var asciiHigh: UInt64 = 0

        init(_ ranges: [ClosedRange<UInt32>], negated: Bool) {
            var sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
            var merged: [ClosedRange<UInt32>] = []
            for range in sorted {
                if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                    merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            if negated {
                var complement: [ClosedRange<UInt32>] = []
                var next: UInt32 = 0
                for range in merged {
                    if range.lowerBound > next { complement.append(next...(range.lowerBound - 1)) }
                    next = range.upperBound &+ 1
                    if range.upperBound == 0x10FFFF { next = 0x110000 }
                }
                if next <= 0x10FFFF { complement.append(next...0x10FFFF) }
                merged = complement
            }
            sorted = merged
            self.ranges = sorted
            for range in sorted where range.lowerBound < 128 {
                for scalar in range.lowerBound...min(range.upperBound, 127) {
                    if scalar < 64 { asciiLow |= 1 << UInt64(scalar) } else { asciiHigh |= 1 << UInt64(scalar - 64) }
                }
            }
        }

        /// Whether some scalar is in both sets.
        func overlaps(_ other: ScalarSet) -> Bool {
            for range in ranges {
                for otherRange in other.ranges where range.overlaps(otherRange) { return true }
            }
            return false
        }

        @inline(__always)
        func contains(_ scalar: UInt32) -> Bool {
            if scalar < 64 { return asciiLow & (1 << UInt64(scalar)) != 0 }
            if scalar < 128 { return asciiHigh & (1 << UInt64(scalar - 64)) != 0 }
            for range in ranges where range.contains(scalar) { return true }
            return false
        }
    }

    enum Instruction: Sendable {
        case scalar(UInt32)
        case set(Int)
        case split(Int, Int)
        case jump(Int)
        case atStart
        case atEnd
        case match
    }

    private let program: [Instruction]
    private let sets: [ScalarSet]
    /// A pattern starting with `^`: only the first position can start a match.
    private let anchored: Bool
    /// For patterns that are `^` then a sequence of classes with counts (`^[a-z0-9-]{1,39}$`,
    /// `^[A-Z]{3}-[0-9]{4}$`) where a single greedy pass decides: a direct scan, no VM.
    private let runs: Runs?

    /// One class repeated `minimum...maximum` times.
    struct Run: Sendable {
        let set: ScalarSet
        let minimum: Int
        let maximum: Int?
    }

    struct Runs: Sendable {
        let items: [Run]
        let anchoredEnd: Bool
    }

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

    /// The run form of `tree`, if it has one: `^`, runs, optional `$`, where every run of
    /// variable length is followed by a run whose class it does not overlap (so stopping where
    /// the class stops matching is the only way to match).
    static func runs(of tree: Node) -> Runs? {
        guard case .concat(var parts) = tree, case .start? = parts.first else { return nil }
        parts.removeFirst()
        var anchoredEnd = false
        if case .end? = parts.last {
            anchoredEnd = true
            parts.removeLast()
        }
        var items: [Run] = []
        for part in parts {
            switch part {
            case .scalar(let value):
                items.append(Run(set: ScalarSet([value...value], negated: false), minimum: 1, maximum: 1))
            case .set(let set): items.append(Run(set: set, minimum: 1, maximum: 1))
            case .repetition(.scalar(let value), let minimum, let maximum):
                items.append(Run(set: ScalarSet([value...value], negated: false), minimum: minimum, maximum: maximum))
            case .repetition(.set(let set), let minimum, let maximum):
                items.append(Run(set: set, minimum: minimum, maximum: maximum))
            default:
                return nil
            }
        }
        for (offset, item) in items.enumerated() where item.maximum != item.minimum && offset + 1 < items.count {
            if item.set.overlaps(items[offset + 1].set) { return nil }
        }
        return Runs(items: items, anchoredEnd: anchoredEnd)
    }

    private func matchRuns(_ runs: Runs, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        for run in runs.items {
            var count = 0
            let maximum = run.maximum ?? Int.max
            while position < bytes.count && count < maximum {
                let (scalar, width) = LinearRegex.decode(bytes, at: position)
                guard run.set.contains(scalar) else { break }
                position += width
                count += 1
            }
            if count < run.minimum { return false }
        }
        return !runs.anchoredEnd || position == bytes.count
    }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({ match($0) }) { return result }
        var copy = text
        return copy.withUTF8 { match($0) }
    }

    private func match(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let runs { return matchRuns(runs, bytes) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: program.count * 7) { memory in
            run(bytes, memory)
        }
    }

    // MARK: the VM

    /// Thread lists as sparse sets: `dense[0..<count]` are program counters, `sparse[pc]` their index.
    private struct ThreadList {
        let dense: UnsafeMutableBufferPointer<Int>
        let sparse: UnsafeMutableBufferPointer<Int>
        var count = 0

        @inline(__always)
        func contains(_ pc: Int) -> Bool {
            let index = sparse[pc]
            return index < count && index >= 0 && dense[index] == pc
        }

        @inline(__always)
        mutating func insert(_ pc: Int) {
            sparse[pc] = count
            dense[count] = pc
            count += 1
        }
    }

    private func run(_ bytes: UnsafeBufferPointer<UInt8>, _ memory: UnsafeMutableBufferPointer<Int>) -> Bool {
        let size = program.count
        var current = ThreadList(
            dense: UnsafeMutableBufferPointer(rebasing: memory[0..<size]),
            sparse: UnsafeMutableBufferPointer(rebasing: memory[size..<(2 * size)]))
        var next = ThreadList(
            dense: UnsafeMutableBufferPointer(rebasing: memory[(2 * size)..<(3 * size)]),
            sparse: UnsafeMutableBufferPointer(rebasing: memory[(3 * size)..<(4 * size)]))
        // Only the sparse halves are read before being written.
        UnsafeMutableBufferPointer(rebasing: memory[size..<(2 * size)]).initialize(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: memory[(3 * size)..<(4 * size)]).initialize(repeating: 0)
        var stack = Stack(storage: UnsafeMutableBufferPointer(rebasing: memory[(4 * size)..<(7 * size)]))
        var position = 0
        let end = bytes.count
        while true {
            if position == 0 || !anchored {
                if add(0, to: &current, at: position, end: end, stack: &stack) { return true }
            }
            if current.count == 0 { return false }
            if position >= end { return false }
            let (scalar, width) = LinearRegex.decode(bytes, at: position)
            position += width
            next.count = 0
            for index in 0..<current.count {
                let pc = current.dense[index]
                let consumes: Bool
                switch program[pc] {
                case .scalar(let expected): consumes = scalar == expected
                case .set(let set): consumes = sets[set].contains(scalar)
                default: consumes = false
                }
                if consumes && add(pc + 1, to: &next, at: position, end: end, stack: &stack) { return true }
            }
            swap(&current, &next)
        }
    }

    /// The work stack of `add`: every instruction pushes at most two others, and each is expanded
    /// once per step, so three times the program length suffices.
    private struct Stack {
        let storage: UnsafeMutableBufferPointer<Int>
        var count = 0

        @inline(__always)
        mutating func append(_ pc: Int) {
            storage[count] = pc
            count += 1
        }

        @inline(__always)
        mutating func popLast() -> Int? {
            if count == 0 { return nil }
            count -= 1
            return storage[count]
        }
    }

    /// Adds `pc` and everything reachable from it without consuming input; true on a match.
    private func add(_ pc: Int, to list: inout ThreadList, at position: Int, end: Int, stack: inout Stack) -> Bool {
        stack.append(pc)
        while let pc = stack.popLast() {
            if list.contains(pc) { continue }
            list.insert(pc)
            switch program[pc] {
            case .match:
                stack.count = 0
                return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .atStart: if position == 0 { stack.append(pc + 1) }
            case .atEnd: if position == end { stack.append(pc + 1) }
            case .scalar, .set: break
            }
        }
        return false
    }

    /// The scalar at `offset` of valid UTF-8 and its width in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[offset])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[offset + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[offset + 1] & 0x3F) << 6 | UInt32(bytes[offset + 2] & 0x3F), 3)
        }
        let value =
            (lead & 0x07) << 18 | UInt32(bytes[offset + 1] & 0x3F) << 12 | UInt32(bytes[offset + 2] & 0x3F) << 6
            | UInt32(bytes[offset + 3] & 0x3F)
        return (value, 4)
    }

    // MARK: syntax

    indirect enum Node {
        case empty
        case scalar(UInt32)
        case set(ScalarSet)
        case start
        case end
        case concat([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)

        var isStart: Bool {
            if case .start = self { return true }
            return false
        }
    }

    static let digits: [ClosedRange<UInt32>] = [0x30...0x39]
    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    static let whitespace: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F,
        0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ]
    static let lineTerminators: [ClosedRange<UInt32>] = [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]

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

    /// Emits Pike VM instructions for a tree.
    struct Compiler {
        var program: [Instruction] = []
        var sets: [ScalarSet] = []

        /// False if the program grows too large.
        mutating func emit(_ node: Node) -> Bool {
            if program.count > LinearRegex.maximumProgramLength { return false }
            switch node {
            case .empty: return true
            case .scalar(let value): program.append(.scalar(value))
            case .set(let set):
                sets.append(set)
                program.append(.set(sets.count - 1))
            case .start: program.append(.atStart)
            case .end: program.append(.atEnd)
            case .concat(let parts):
                for part in parts where !emit(part) { return false }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (offset, branch) in branches.enumerated() {
                    if offset < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        guard emit(branch) else { return false }
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        guard emit(branch) else { return false }
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let body, let minimum, let maximum):
                for _ in 0..<minimum where !emit(body) { return false }
                if let maximum {
                    var splits: [Int] = []
                    for _ in minimum..<maximum {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        guard emit(body) else { return false }
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let loop = program.count
                    program.append(.split(loop + 1, -1))
                    guard emit(body) else { return false }
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
            return program.count <= LinearRegex.maximumProgramLength
        }
    }
}
