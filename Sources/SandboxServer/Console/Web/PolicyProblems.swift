import Foundation

/// The problems of a refused policy upload, by line: the publish check's message lists each as
/// `AGENT.yaml:LINE:COLUMN: message` (``PolicyRoutes/validate(_:agent:)``), one a line. The
/// agent's file name is stripped as a whole, so an id with `:` (`team:sales`) keeps its lines.
struct PolicyProblems {
    struct Problem {
        var line: Int?
        var column: Int?
        var message: String
    }

    var problems: [Problem]

    init(message: String, agent: String) {
        let file = "\(agent).yaml:"
        problems = message.split(separator: "\n").map { text in
            guard text.hasPrefix(file) else { return Problem(line: nil, column: nil, message: String(text)) }
            let parts = text.dropFirst(file.count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1])
            else { return Problem(line: nil, column: nil, message: String(text)) }
            return Problem(line: line, column: column, message: parts[2].trimmingCharacters(in: .whitespaces))
        }
    }

    var lines: Set<Int> { Set(problems.compactMap(\.line)) }
}
