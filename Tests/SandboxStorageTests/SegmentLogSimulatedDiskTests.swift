import TestSupport
import Testing

@testable import SandboxStorage

/// A file system in memory that loses what was not synced when it "crashes", as a disk may:
/// per file, a random prefix of the unsynced writes survives, then of the next write a random
/// subset of its 512-byte sectors (writes are not atomic, nor ordered within themselves);
/// directory changes survive only up to a random prefix of those not synced. `stopAfter`
/// makes the n-th mutating call and every later one fail, as if the process died there.
final class SimulatedDisk: SegmentFileSystem, @unchecked Sendable {
    // Invariant: every stored property is read and written only with `lock` held.
    private final class Inode {
        var durable: [UInt8] = []
        var current: [UInt8] = []
        var unsynced: [(offset: Int, bytes: [UInt8])] = []
    }

    private enum DirectoryChange {
        case link(String, Inode)
        case unlink(String)
    }

    private let lock = Locked(())
    private var durableNames: [String: Inode] = [:]
    private var names: [String: Inode] = [:]
    private var unsyncedChanges: [DirectoryChange] = []
    private var generation = 0
    /// Mutating calls left before the simulated process death (nil: no limit).
    var stopAfter: Int?
    private(set) var mutations = 0

    private func locked<Result>(_ body: () throws -> Result) rethrows -> Result {
        try lock.withLock { _ in try body() }
    }

    private func mutate(_ operation: String, _ path: String) throws {
        mutations += 1
        if let limit = stopAfter {
            guard limit > 0 else {
                throw StorageError.fileSystem(operation: "simulated crash: \(operation)", path: path, errno: 5)
            }
            stopAfter = limit - 1
        }
    }

    /// Loses unsynced data as described above; handles opened before stop working.
    func crash(using random: inout SeededGenerator) {
        locked {
            var kept = durableNames
            let changes = random.below(unsyncedChanges.count + 1)
            for change in unsyncedChanges.prefix(changes) {
                switch change {
                case .link(let name, let inode): kept[name] = inode
                case .unlink(let name): kept[name] = nil
                }
            }
            var seen = Set<ObjectIdentifier>()
            for name in kept.keys.sorted() {
                let inode = kept[name]!
                guard seen.insert(ObjectIdentifier(inode)).inserted else { continue }
                let writes = random.below(inode.unsynced.count + 1)
                for write in inode.unsynced.prefix(writes) {
                    Self.apply(write.bytes, at: write.offset, to: &inode.durable)
                }
                if writes < inode.unsynced.count {
                    let torn = inode.unsynced[writes]
                    for sector in stride(from: 0, to: torn.bytes.count, by: 512) where random.chance(50) {
                        let end = min(torn.bytes.count, sector + 512)
                        Self.apply(Array(torn.bytes[sector..<end]), at: torn.offset + sector, to: &inode.durable)
                    }
                }
                inode.current = inode.durable
                inode.unsynced = []
            }
            durableNames = kept
            names = kept
            unsyncedChanges = []
            generation += 1
            stopAfter = nil
        }
    }

    private static func apply(_ bytes: [UInt8], at offset: Int, to data: inout [UInt8]) {
        if data.count < offset + bytes.count {
            data.append(contentsOf: repeatElement(0, count: offset + bytes.count - data.count))
        }
        data.replaceSubrange(offset..<offset + bytes.count, with: bytes)
    }

    /// The current bytes of a file (tests damage them with `overwrite`).
    func contents(_ path: String) -> [UInt8]? { locked { names[path]?.current } }

    /// Replaces bytes of a file, durably (damage done while the log is closed).
    func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) {
        locked {
            guard let inode = names[path] else { return }
            Self.apply(bytes, at: offset, to: &inode.current)
            Self.apply(bytes, at: offset, to: &inode.durable)
        }
    }

    // MARK: SegmentFileSystem

    func fileNames(in directory: String) throws -> [String] {
        locked { names.keys.filter { $0.hasPrefix(directory + "/") }.map { String($0.dropFirst(directory.count + 1)) } }
    }

    func createDirectory(_ path: String) throws {}

    func openFile(_ path: String) throws -> any SegmentFile {
        try locked {
            guard let inode = names[path] else {
                throw StorageError.fileSystem(operation: "open", path: path, errno: 2)
            }
            return SimulatedFile(disk: self, inode: ObjectIdentifier(inode), path: path, generation: generation)
        }
    }

    func createFile(_ path: String) throws -> any SegmentFile {
        try locked {
            try mutate("create", path)
            guard names[path] == nil else { throw StorageError.fileSystem(operation: "create", path: path, errno: 17) }
            let inode = Inode()
            names[path] = inode
            unsyncedChanges.append(.link(path, inode))
            return SimulatedFile(disk: self, inode: ObjectIdentifier(inode), path: path, generation: generation)
        }
    }

    func rename(_ path: String, to newPath: String) throws {
        try locked {
            try mutate("rename", path)
            guard let inode = names[path] else {
                throw StorageError.fileSystem(operation: "rename", path: path, errno: 2)
            }
            names[path] = nil
            names[newPath] = inode
            unsyncedChanges.append(.unlink(path))
            unsyncedChanges.append(.link(newPath, inode))
        }
    }

    func removeFile(_ path: String) throws {
        try locked {
            try mutate("unlink", path)
            guard names[path] != nil else { throw StorageError.fileSystem(operation: "unlink", path: path, errno: 2) }
            names[path] = nil
            unsyncedChanges.append(.unlink(path))
        }
    }

    func syncDirectory(_ path: String) throws {
        try locked {
            try mutate("fsync", path)
            durableNames = names
            unsyncedChanges = []
        }
    }

    // MARK: file operations (for SimulatedFile)

    private func inode(_ id: ObjectIdentifier, _ generation: Int, _ path: String) throws -> Inode {
        guard generation == self.generation,
            let inode =
                (names.values.first { ObjectIdentifier($0) == id }
                    ?? durableNames.values.first { ObjectIdentifier($0) == id })
        else { throw StorageError.fileSystem(operation: "use of a file from before a crash", path: path, errno: 9) }
        return inode
    }

    fileprivate func size(_ id: ObjectIdentifier, _ generation: Int, _ path: String) throws -> Int {
        try locked { try inode(id, generation, path).current.count }
    }

    fileprivate func write(_ bytes: [UInt8], at offset: Int, _ id: ObjectIdentifier, _ generation: Int, _ path: String)
        throws
    {
        try locked {
            let inode = try inode(id, generation, path)
            try mutate("pwrite", path)
            Self.apply(bytes, at: offset, to: &inode.current)
            inode.unsynced.append((offset, bytes))
        }
    }

    fileprivate func read(count: Int, at offset: Int, _ id: ObjectIdentifier, _ generation: Int, _ path: String) throws
        -> [UInt8]
    {
        try locked {
            let data = try inode(id, generation, path).current
            guard offset < data.count else { return [] }
            return Array(data[offset..<min(data.count, offset + count)])
        }
    }

    fileprivate func sync(_ id: ObjectIdentifier, _ generation: Int, _ path: String) throws {
        try locked {
            let inode = try inode(id, generation, path)
            try mutate("fdatasync", path)
            inode.durable = inode.current
            inode.unsynced = []
        }
    }
}

final class SimulatedFile: SegmentFile {
    // Invariant: all fields are immutable; the disk serialises every operation.
    let disk: SimulatedDisk
    let inode: ObjectIdentifier
    let path: String
    let generation: Int

    init(disk: SimulatedDisk, inode: ObjectIdentifier, path: String, generation: Int) {
        self.disk = disk
        self.inode = inode
        self.path = path
        self.generation = generation
    }

    func size() throws -> Int { try disk.size(inode, generation, path) }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        try disk.write(Array(bytes), at: offset, inode, generation, path)
    }

    func read(count: Int, at offset: Int) throws -> [UInt8] {
        try disk.read(count: count, at: offset, inode, generation, path)
    }

    func syncData() throws { try disk.sync(inode, generation, path) }

    func sync() throws { try disk.sync(inode, generation, path) }

    func close() {}
}

@Suite struct SegmentLogSimulatedDiskTests {
    /// The test double must lose data the way the real rules allow, or the crash tests prove nothing.
    @Test func unsyncedWritesAndDirectoryChangesCanBeLost() throws {
        var lostData = 0
        var lostNames = 0
        for seed in 0..<40 {
            let disk = SimulatedDisk()
            var random = SeededGenerator(seed: UInt64(seed))
            let file = try disk.createFile("/d/a")
            try disk.syncDirectory("/d")
            try file.write([UInt8](repeating: 7, count: 2048), at: 0)
            try file.syncData()
            try file.write([UInt8](repeating: 9, count: 2048), at: 0)
            _ = try disk.createFile("/d/b")
            disk.crash(using: &random)
            let data = try #require(disk.contents("/d/a"))
            #expect(data.count == 2048)
            #expect(data.allSatisfy { $0 == 7 || $0 == 9 })
            if data.contains(7) { lostData += 1 }
            if try disk.fileNames(in: "/d") == ["a"] { lostNames += 1 }
            #expect(throws: StorageError.self) { try file.syncData() }
        }
        #expect(lostData > 0 && lostData < 40)
        #expect(lostNames > 0 && lostNames < 40)
    }
}
