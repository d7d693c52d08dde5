#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file operations the segment log uses, and nothing more: the POSIX calls in production
/// (`PosixSegmentFileSystem`), and in the tests a layer that loses unsynced writes at a crash,
/// as a disk may. Paths are absolute; every failure throws `StorageError.fileSystem`.
protocol SegmentFileSystem: Sendable {
    /// The names (not paths) of the entries of `directory`, without "." and "..".
    func fileNames(in directory: String) throws -> [String]
    func createDirectory(_ path: String) throws
    /// Opens an existing file for reading and writing.
    func openFile(_ path: String) throws -> any SegmentFile
    /// Creates a new, empty file; fails when it exists.
    func createFile(_ path: String) throws -> any SegmentFile
    func rename(_ path: String, to newPath: String) throws
    func removeFile(_ path: String) throws
    /// Makes the directory's entries (created, renamed, removed files) durable.
    func syncDirectory(_ path: String) throws
}

/// One open file. Writes and reads are positional; nothing moves a file offset.
protocol SegmentFile: AnyObject, Sendable {
    var path: String { get }
    func size() throws -> Int
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws
    /// Reads `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws -> [UInt8]
    /// Makes written data durable (fdatasync: the size is never changed by the log's writes).
    func syncData() throws
    /// Makes data and metadata (the size of a new file) durable.
    func sync() throws
    func close()
}

extension SegmentFile {
    func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Writes zeros over `range`, a MiB at a time.
    func writeZeros(_ range: Range<Int>) throws {
        let zeros = [UInt8](repeating: 0, count: min(1 << 20, range.count))
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = min(zeros.count, range.upperBound - offset)
            try zeros.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[0..<count]), at: offset) }
            offset += count
        }
    }
}

/// The real file system.
struct PosixSegmentFileSystem: SegmentFileSystem {
    func fileNames(in directory: String) throws -> [String] {
        guard let stream = opendir(directory) else { throw failure("opendir", directory) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    func createDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw failure("mkdir", path) }
    }

    func openFile(_ path: String) throws -> any SegmentFile {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        return PosixSegmentFile(path: path, descriptor: descriptor)
    }

    func createFile(_ path: String) throws -> any SegmentFile {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", path) }
        return PosixSegmentFile(path: path, descriptor: descriptor)
    }

    func rename(_ path: String, to newPath: String) throws {
        guard systemRename(path, newPath) == 0 else { throw failure("rename to \(newPath)", path) }
    }

    func removeFile(_ path: String) throws {
        guard unlink(path) == 0 else { throw failure("unlink", path) }
    }

    func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { closeDescriptor(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", path) }
    }
}

private func systemRename(_ path: String, _ newPath: String) -> Int32 { rename(path, newPath) }

private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }

func failure(_ operation: String, _ path: String) -> StorageError {
    .fileSystem(operation: operation, path: path, errno: errno)
}

/// An open file descriptor.
final class PosixSegmentFile: SegmentFile {
    // Invariant: `descriptor` is set once; positional reads and writes on one descriptor are safe
    // from several threads, and `close` is called once, by the owner, when no call can be running.
    let path: String
    private let descriptor: Int32

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    func size() throws -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("fstat", path) }
        return Int(status.st_size)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("pwrite", path) }
            done += written
        }
    }

    func read(count: Int, at offset: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let read = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if read < 0 && errno == EINTR { continue }
                guard read >= 0 else { throw failure("pread", path) }
                if read == 0 { break }
                done += read
            }
        }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }

    func syncData() throws {
        guard fdatasync(descriptor) == 0 else { throw failure("fdatasync", path) }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw failure("fsync", path) }
    }

    func close() { closeDescriptor(descriptor) }
}
