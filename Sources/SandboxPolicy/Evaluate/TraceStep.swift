/// One check the evaluator made, in order: what was checked, its result, and a detail.
public struct TraceStep: Sendable, Hashable, CustomStringConvertible {
    public enum Result: String, Sendable, Hashable {
        /// A pattern or rule applied (for deny patterns: the tool is denied).
        case matched
        case noMatch = "no_match"
        case passed
        case failed
        /// A condition could not be decided (a field missing, a wrong type).
        case unknown
        case skipped
    }

    /// What was checked, e.g. ``tools.deny[0] `payments.*` ``.
    public var check: String
    public var result: Result
    public var detail: String

    public init(check: String, result: Result, detail: String = "") {
        self.check = check
        self.result = result
        self.detail = detail
    }

    public var description: String {
        detail.isEmpty ? "\(check): \(result.rawValue)" : "\(check): \(result.rawValue) (\(detail))"
    }
}
