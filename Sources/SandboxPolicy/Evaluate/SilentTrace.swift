struct SilentTrace: TraceSink {
    @inline(__always) var isRecording: Bool { false }
    @inline(__always)
    mutating func record(
        _ check: @autoclosure () -> String, _ result: TraceStep.Result, _ detail: @autoclosure () -> String
    ) {}
}
