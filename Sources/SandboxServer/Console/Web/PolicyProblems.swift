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

    /// Most problems listed: the rest are counted in a last one (a policy of thousands of bad
    /// lines is refused with a page of bounded size).
    static let maxListed = 100

    init(message: String, agent: String) {
        let file = "\(agent).yaml:"
        let texts = message.split(separator: "\n")
        problems = texts.prefix(Self.maxListed).map { text in
            guard text.hasPrefix(file) else { return Problem(line: nil, column: nil, message: String(text)) }
            let parts = text.dropFirst(file.count).split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1])
            else { return Problem(line: nil, column: nil, message: String(text)) }
            return Problem(line: line, column: column, message: parts[2].trimmingCharacters(in: .whitespaces))
        }
        if texts.count > Self.maxListed {
            problems.append(
                Problem(
                    line: nil, column: nil, message: "and \(texts.count - Self.maxListed) more problems, not listed"))
        }
    }

    /// The problems at each line.
    var byLine: [Int: [Problem]] {
        var grouped: [Int: [Problem]] = [:]
        for problem in problems { if let line = problem.line { grouped[line, default: []].append(problem) } }
        return grouped
    }

}
