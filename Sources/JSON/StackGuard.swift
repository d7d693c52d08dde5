/// A last resort against stack overflow in a recursive walk (parser, evaluator). The depth limits
/// (`maxDepth`, ``SchemaOptions/maxEvaluationDepth``) are what stop hostile nesting, the same way
/// in every build; their defaults stay well inside this budget even in a debug build, whose
/// frames are several times larger than a release build's. The guard only fires for a caller
/// that raises a depth limit beyond what its thread's stack holds, so then the answer depends on
/// the build and the thread, and the error says the stack budget was hit.
package struct StackGuard {
    /// The stack a walk may use by default: 448 KiB, inside a 512 KiB thread stack (macOS
    /// secondary threads; on Linux, Dispatch and Swift concurrency threads get 8 MiB) with 64 KiB
    /// left for the caller.
    package static let defaultBudget = 448 * 1024

    private let base: UInt
    private let budget: UInt

    package init(budget: Int) {
        base = StackGuard.currentAddress()
        self.budget = UInt(max(budget, 0))
    }

    /// Whether the stack has grown by more than the budget since `init` (stacks grow downward
    /// on every platform Swift supports).
    @inline(__always)
    package var isExhausted: Bool { base &- StackGuard.currentAddress() > budget }

    @inline(never)
    static func currentAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}
