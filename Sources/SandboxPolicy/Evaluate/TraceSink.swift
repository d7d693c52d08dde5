/// Where the evaluator reports its checks. Evaluation is generic over the sink so the fast path
/// (``SilentTrace``) compiles to nothing, while ``TraceRecorder`` builds the full trace from the
/// very same code path: the trace can never disagree with the decision.
protocol TraceSink {
    var isRecording: Bool { get }
    mutating func record(
        _ check: @autoclosure () -> String, _ result: TraceStep.Result, _ detail: @autoclosure () -> String)
}
