#if canImport(Glibc)
    import Glibc
#endif

/// Names the calling thread for the operating system, so that `top -H`, `ps -L` and `perf`
/// tell the driver's threads apart (Foundation's `Thread.name` does not set it on Linux).
enum OSThreadName {
    /// Linux keeps at most 15 bytes of a thread's name; longer names are cut. Written to
    /// `/proc/thread-self/comm` (`pthread_setname_np` needs `_GNU_SOURCE`, `prctl` is variadic:
    /// neither is visible from Swift here); best effort, a failure leaves the name as it was.
    static func set(_ name: String) {
        #if canImport(Glibc)
            let file = open("/proc/thread-self/comm", O_WRONLY)
            guard file >= 0 else { return }
            defer { close(file) }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        #endif
    }
}
