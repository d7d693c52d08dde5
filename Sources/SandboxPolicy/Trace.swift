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

/// Where the evaluator reports its checks. Evaluation is generic over the sink so the fast path
/// (``SilentTrace``) compiles to nothing, while ``TraceRecorder`` builds the full trace from the
/// very same code path: the trace can never disagree with the decision.
protocol TraceSink {
    var isRecording: Bool { get }
    mutating func record(
        _ check: @autoclosure () -> String, _ result: TraceStep.Result, _ detail: @autoclosure () -> String)
}

struct SilentTrace: TraceSink {
    @inline(__always) var isRecording: Bool { false }
    @inline(__always)
    mutating func record(
        _ check: @autoclosure () -> String, _ result: TraceStep.Result, _ detail: @autoclosure () -> String
    ) {}
}

struct TraceRecorder: TraceSink {
    /// A policy has bounded size, so its trace is bounded too; this is a second fence.
    static let maximumSteps = 10_000
    var steps: [TraceStep] = []
    var isRecording: Bool { true }

    mutating func record(
        _ check: @autoclosure () -> String, _ result: TraceStep.Result, _ detail: @autoclosure () -> String
    ) {
        guard steps.count < TraceRecorder.maximumSteps else { return }
        steps.append(TraceStep(check: check(), result: result, detail: detail()))
    }
}
