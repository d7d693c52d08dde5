/// Two texts aligned line by line for a side-by-side view (pure): the longest common
/// subsequence of their lines keeps equal lines on one row; a removed line faces a gap on the
/// right, an added one a gap on the left. Bounded: texts over ``maxLines`` lines are shown
/// unaligned (every line marked changed) rather than spending quadratic work.
struct SideBySideDiff {
    static let maxLines = 2000

    enum Kind: String { case same, removed = "del", added = "add", gap = "pad" }

    struct Cell {
        var number: Int?
        var text: String
        var kind: Kind
    }

    var left: [Cell] = []
    var right: [Cell] = []

    init(old: String, new: String) {
        let a = old.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0) }
        let b = new.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0) }
        guard a.count <= Self.maxLines, b.count <= Self.maxLines else {
            left = a.enumerated().map { Cell(number: $0.offset + 1, text: $0.element, kind: .removed) }
            right = b.enumerated().map { Cell(number: $0.offset + 1, text: $0.element, kind: .added) }
            return
        }
        // lengths[i][j]: the LCS length of a[i...] and b[j...].
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                append(Cell(number: i + 1, text: a[i], kind: .same), Cell(number: j + 1, text: b[j], kind: .same))
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                append(Cell(number: nil, text: "", kind: .gap), Cell(number: j + 1, text: b[j], kind: .added))
                j += 1
            } else {
                append(Cell(number: i + 1, text: a[i], kind: .removed), Cell(number: nil, text: "", kind: .gap))
                i += 1
            }
        }
    }

    private mutating func append(_ l: Cell, _ r: Cell) {
        left.append(l)
        right.append(r)
    }

    var changed: Bool { left.contains { $0.kind != .same } || right.contains { $0.kind != .same } }
}
