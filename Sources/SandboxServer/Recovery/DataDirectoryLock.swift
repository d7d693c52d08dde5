import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// RocksDB's lock on a data directory (`LOCK`, an fcntl write lock held while a node has the
/// database open): asked without taking it, so that offline tools refuse a live directory.
enum DataDirectoryLock {
    /// The process holding the lock, nil when none does (or there is no lock file).
    static func holder(in directory: String) -> pid_t? {
        let fd = open((directory as NSString).appendingPathComponent("LOCK"), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        guard fcntl(fd, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) else { return nil }
        return lock.l_pid
    }
}
