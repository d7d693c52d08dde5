/// Where a condition's text sits in the policy file, so that an error at a character offset of the
/// condition can be reported at the file's line and column.
struct ConditionPosition: Sendable, Hashable {
    enum Layout: Sendable, Hashable {
        /// On one line: `plain`, `'single'` or `"double"` quoted; `source` is the file line.
        case inline(style: YAMLNode.ScalarStyle, source: String)
        /// A literal block (`|`): content lines start on the next line at `indent` spaces.
        case literalBlock(indent: Int)
        /// Anything else (folded or multi-line flow scalars): the scalar's own position.
        case approximate
    }

    /// The position of the scalar (its first quote, or the `|` of a block).
    var start: SourceLocation
    var layout: Layout

    /// The file position of the character at `offset` (in Unicode scalars) of `condition`.
    func location(ofOffset offset: Int, in condition: String) -> SourceLocation {
        switch layout {
        case .approximate:
            return start
        case .literalBlock(let indent):
            var line = start.line + 1
            var column = 0
            // An error at the very end points just after the last character, not past the
            // block's closing line break.
            var scalars = Substring(condition).unicodeScalars
            while scalars.last == "\n" { scalars.removeLast() }
            for scalar in scalars.prefix(offset) {
                if scalar == "\n" {
                    line += 1
                    column = 0
                } else {
                    column += 1
                }
            }
            return SourceLocation(line: line, column: indent + 1 + column)
        case .inline(let style, let source):
            let scalars = Array(source.unicodeScalars)
            // `index` walks the file line from the scalar's first character; `decoded` counts
            // the condition's characters passed so far.
            var index = start.column - 1
            var decoded = 0
            if style != .plain { index += 1 }
            while decoded < offset, index < scalars.count {
                switch (style, scalars[index]) {
                case (.singleQuoted, "'"):
                    index += 2  // `''` is one quote
                case (.doubleQuoted, "\\"):
                    let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                    index += next == "x" ? 4 : next == "u" ? 6 : next == "U" ? 10 : 2
                default:
                    index += 1
                }
                decoded += 1
            }
            return SourceLocation(line: start.line, column: index + 1 + max(0, offset - decoded))
        }
    }
}
