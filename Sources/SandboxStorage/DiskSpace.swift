#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free space on the file system that holds a node's data directory.
///
/// RocksDB 7.8 (Debian's librocksdb) can abort on a full disk: once a file write fails for lack
/// of space, the next use of that file asserts (`writable_file_writer.h:312`), and both closing
/// the database and opening it again write files. So a node checks the space itself: it does not
/// open its database with less than `StorageOptions.minimumFreeBytes` free, and a running node
/// stops (without closing the database, as after a crash) once the free space falls below that
/// (docs/storage.md, "A full disk").
public enum DiskSpace {
    /// Bytes an unprivileged process can still write on the file system holding `path`, or nil
    /// when `statvfs` fails (the path does not exist, for example).
    public static func available(at path: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// `StorageError.diskFull` when the file system holding `path` has less than `minimum`
    /// bytes free; nil when there is room (or the space cannot be read: the open then reports
    /// what is wrong with the path).
    public static func shortage(at path: String, minimum: UInt64) -> StorageError? {
        guard minimum > 0, let free = available(at: path), free < minimum else { return nil }
        return .diskFull(path: path, availableBytes: free, requiredBytes: minimum)
    }
}
