/// Bounds how much call stack a recursive walk (parser, evaluator) may use, whatever the build
/// configuration or the calling thread's stack size: hostile nesting fails with an error
/// instead of overflowing the stack of a small-stack thread (the Swift concurrency pool's
/// threads have far less than a main thread's 8 MiB).
struct StackGuard {
    /// The stack a walk may use by default: half of a 512 KiB thread stack (Linux threads usually
    /// have 8 MiB).
    static let defaultBudget = 256 * 1024

    private let base: UInt
    private let budget: UInt

    init(budget: Int) {
        base = StackGuard.currentAddress()
        self.budget = UInt(max(budget, 0))
    }

    /// Whether the stack has grown by more than the budget since `init` (stacks grow downward
    /// on every platform Swift supports).
    @inline(__always)
    var isExhausted: Bool { base &- StackGuard.currentAddress() > budget }

    @inline(never)
    static func currentAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }
}
