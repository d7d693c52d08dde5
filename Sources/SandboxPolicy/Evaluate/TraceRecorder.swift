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
