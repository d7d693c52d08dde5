import Foundation
import TestSupport
import Testing

@testable import SandboxStorage

/// A node does not open its database on a full disk (RocksDB 7.8 would abort writing there).
@Suite struct DiskSpaceTests {
    let directory = TemporaryDirectory("disk-space")

    @Test func availableSpaceIsReadAndAMissingPathHasNone() {
        #expect((DiskSpace.available(at: directory.path) ?? 0) > 0)
        #expect(DiskSpace.available(at: directory.path + "/missing/deeper") == nil)
    }

    @Test func aDiskWithLessThanTheMinimumIsNotOpened() throws {
        var options = StorageOptions.small
        options.minimumFreeBytes = .max
        #expect {
            _ = try NodeStorage(path: directory.path, options: options)
        } throws: { error in
            guard case StorageError.diskFull(let path, _, let required) = error else { return false }
            return path == directory.path && required == .max
                && "\(error)".contains("the disk holding \(directory.path) is full")
        }
        // Nothing was created: the database was never opened.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func enoughSpaceOpensAndTheMinimumIsKept() throws {
        var options = StorageOptions.small
        options.minimumFreeBytes = 1
        let storage = try NodeStorage(path: directory.path, options: options)
        defer { storage.close() }
        #expect(storage.minimumFreeBytes == 1)
        #expect(DiskSpace.shortage(at: directory.path, minimum: 0) == nil)
    }
}
