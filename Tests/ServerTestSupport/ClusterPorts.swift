import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The port bases of the test clusters: a cluster at base B serves HTTP on B to B+9 and its
/// peers on B+1000 to B+1009. Bases are handed out in turn within the process (two clusters of
/// one test run never share a port: drawn at random, two of twenty clusters collided about once
/// in ten runs), on even thousands only (so no cluster's HTTP ports are another's peer ports),
/// and a base with a port another process holds on 127.0.0.1 is skipped.
enum ClusterPorts {
    /// 500 bases: 20,000-20,990, 22,000-22,990, ... 28,000-28,990 (all below the ephemeral range).
    static let slots = 500
    private static let lock = NSLock()
    nonisolated(unsafe) private static var next = Int.random(in: 0..<slots)  // under `lock`

    static func base(_ slot: Int) -> Int {
        let slot = slot % slots
        return 20_000 + (slot / 100) * 2_000 + (slot % 100) * 10
    }

    /// A base whose twenty ports were free on 127.0.0.1 a moment ago (the next one in turn when
    /// none is).
    static func take() -> Int {
        lock.withLock {
            for _ in 0..<slots {
                let base = base(next)
                next = (next + 1) % slots
                if (0..<10).allSatisfy({ isFree(base + $0) && isFree(base + 1000 + $0) }) { return base }
            }
            let base = base(next)
            next = (next + 1) % slots
            return base
        }
    }

    /// Whether a TCP socket can bind 127.0.0.1:`port` now.
    static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return true }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}
