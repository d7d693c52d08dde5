/// Two texts aligned line by line for a side-by-side view (pure): equal leading and trailing
/// lines face each other, and in between the longest common subsequence of the lines keeps equal
/// lines on one row; a removed line faces a gap on the right, an added one a gap on the left.
/// Bounded: when the changed middle would need an LCS table of more than ``maxCells`` cells
/// (about 2 MB), its lines are shown unaligned (removed beside added) instead.
struct SideBySideDiff {
    /// Most cells of the LCS table (rows × columns of the changed middle, each plus one).
    static let maxCells = 250_000

    enum Kind: String { case same, removed = "del", added = "add", gap = "pad" }

    struct Cell {
        var number: Int?
        var text: String
        var kind: Kind
    }

    var left: [Cell] = []
    var right: [Cell] = []
    /// The LCS table cells this diff filled (0 when the middle was shown unaligned or empty).
    private(set) var cells = 0

    init(old: String, new: String) {
        let a = old.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0) }
        let b = new.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0) }
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        for index in 0..<head { same(a[index], index, index) }
        let middleA = Array(a[head..<(a.count - tail)])
        let middleB = Array(b[head..<(b.count - tail)])
        if (middleA.count + 1) * (middleB.count + 1) > Self.maxCells {
            unaligned(middleA, middleB, from: head)
        } else {
            aligned(middleA, middleB, from: head)
        }
        for offset in 0..<tail { same(a[a.count - tail + offset], a.count - tail + offset, b.count - tail + offset) }
    }

    /// The changed middle aligned by the longest common subsequence of its lines.
    private mutating func aligned(_ a: [String], _ b: [String], from start: Int) {
        let width = b.count + 1
        cells = a.isEmpty || b.isEmpty ? 0 : (a.count + 1) * width
        // lengths[i * width + j]: the LCS length of a[i...] and b[j...].
        var lengths = [Int](repeating: 0, count: cells)
        if cells > 0 {
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    lengths[i * width + j] =
                        a[i] == b[j]
                        ? lengths[(i + 1) * width + j + 1] + 1
                        : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
                }
            }
        }
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                same(a[i], start + i, start + j)
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lengths[i * width + j + 1] >= lengths[(i + 1) * width + j] {
                append(Cell(number: nil, text: "", kind: .gap), Cell(number: start + j + 1, text: b[j], kind: .added))
                j += 1
            } else {
                append(Cell(number: start + i + 1, text: a[i], kind: .removed), Cell(number: nil, text: "", kind: .gap))
                i += 1
            }
        }
    }

    /// The changed middle too large to align: each removed line beside an added one.
    private mutating func unaligned(_ a: [String], _ b: [String], from start: Int) {
        for index in 0..<max(a.count, b.count) {
            append(
                index < a.count
                    ? Cell(number: start + index + 1, text: a[index], kind: .removed)
                    : Cell(number: nil, text: "", kind: .gap),
                index < b.count
                    ? Cell(number: start + index + 1, text: b[index], kind: .added)
                    : Cell(number: nil, text: "", kind: .gap))
        }
    }

    private mutating func same(_ text: String, _ leftIndex: Int, _ rightIndex: Int) {
        append(
            Cell(number: leftIndex + 1, text: text, kind: .same), Cell(number: rightIndex + 1, text: text, kind: .same))
    }

    private mutating func append(_ l: Cell, _ r: Cell) {
        left.append(l)
        right.append(r)
    }

    var changed: Bool { left.contains { $0.kind != .same } || right.contains { $0.kind != .same } }
}
