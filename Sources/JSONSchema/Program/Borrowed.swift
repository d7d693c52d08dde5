/// A reference that does not count: keywords copy as plain bits, so the evaluator's keyword loop
/// does no reference counting. Sound because the objects are owned by the program
/// (`SchemaProgram.objects`, then `ExecutableProgram.objects`) for as long as any keyword exists.
struct Borrowed<Object: AnyObject & Sendable>: @unchecked Sendable {
    private let reference: Unmanaged<Object>
    init(_ object: Object) { reference = .passUnretained(object) }

    /// The object, for uses outside the hot path (it is retained for the caller).
    var object: Object { reference.takeUnretainedValue() }

    /// Runs `body` with the object borrowed: no retain or release.
    @inline(__always)
    func read<Result>(_ body: (Object) -> Result) -> Result {
        reference._withUnsafeGuaranteedRef(body)
    }
}
