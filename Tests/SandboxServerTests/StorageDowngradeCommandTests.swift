import Foundation
import Raft
import SandboxStorage
import ServerTestSupport
import TestSupport
import Testing

/// `sandboxd storage-downgrade --data-dir D`, as a process: a format 2 node directory becomes
/// format 1 (what a build before format 2 opens), a second run has nothing to do, and bad or
/// empty directories are refused with a usage error.
@Suite struct StorageDowngradeCommandTests {
    let directory = TemporaryDirectory("downgrade")

    func downgrade(_ arguments: [String]) throws -> (Int32, String) {
        try LocalCluster.runCommand(["storage-downgrade"] + arguments)
    }

    @Test func aStoppedNodesDirectoryGoesToFormat1OnceAndBadInputIsRefused() throws {
        let data = directory.path + "/node-1"
        do {
            let storage = try NodeStorage(path: data, options: .small)
            defer { storage.close() }
            try storage.bootstrap(ConfState(voters: [1]))
            try storage.log.append(
                (2...40).map { Entry(term: 2, index: $0, data: Array("entry \($0)".utf8)) },
                hardState: HardState(term: 2, vote: 1, commit: 40))
        }
        let converted = try downgrade(["--data-dir", data])
        #expect(converted.0 == 0 && converted.1.contains("is storage format 1 now"), "\(converted)")
        #expect(converted.1.contains("\"last_index\":\"40\""), "\(converted)")
        #expect(!FileManager.default.fileExists(atPath: data + "/raft-log"))
        let again = try downgrade(["--data-dir", data])
        #expect(again.0 == 0 && again.1.contains("format 1 already"), "\(again)")

        let empty = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let nothing = try downgrade(["--data-dir", empty])
        #expect(nothing.0 == 2 && nothing.1.contains("holds no data"), "\(nothing)")
        let usage = try downgrade(["--data"])
        #expect(usage.0 == 2 && usage.1.contains("usage: sandboxd storage-downgrade --data-dir D"), "\(usage)")

        // A build with format 2 opens it again (migrating it forward).
        let storage = try NodeStorage(path: data, options: .small)
        defer { storage.close() }
        #expect(try storage.log.lastIndex() == 40 && storage.log.initialState().0.commit == 40)
    }
}
