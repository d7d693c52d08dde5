import Foundation

/// The problems of a refused policy upload, by line: the publish check's message lists each as
/// `AGENT.yaml:LINE:COLUMN: message` (``PolicyRoutes/validate(_:agent:)``), one a line.
struct PolicyProblems {
    struct Problem {
        var line: Int?
        var column: Int?
        var message: String
    }

    var problems: [Problem]

    init(message: String) {
        problems = message.split(separator: "\n").map { text in
            let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0].hasSuffix(".yaml"), let line = Int(parts[1]), let column = Int(parts[2])
            else { return Problem(line: nil, column: nil, message: String(text)) }
            return Problem(line: line, column: column, message: parts[3].trimmingCharacters(in: .whitespaces))
        }
    }

    var lines: Set<Int> { Set(problems.compactMap(\.line)) }
}
