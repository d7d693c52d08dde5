import JSON

/// A member value put aside during the object pass, held as plain bits: it is copied in without
/// counting a reference and never destroyed, so putting a value aside (and dropping it when the
/// pass already failed) costs no reference counting. Sound because the object the value comes
/// from is held by the caller for as long as the pass runs, which keeps the value alive.
struct DeferredMember {
    private var bits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private(set) var isPresent = false

    init() {}

    @inline(__always)
    init(_ value: JSONValue) {
        // A constant condition: folded away where it holds (it does on every supported platform).
        precondition(MemoryLayout<JSONValue>.size <= MemoryLayout<(UInt64, UInt64, UInt64)>.size)
        withUnsafeBytes(of: value) { source in
            withUnsafeMutableBytes(of: &bits) { $0.copyMemory(from: source) }
        }
        isPresent = true
    }

    /// Runs `body` with the value (retained for the call).
    @inline(__always)
    func withValue<Result>(_ body: (JSONValue) -> Result) -> Result {
        withUnsafeBytes(of: bits) { body($0.load(as: JSONValue.self)) }
    }
}
