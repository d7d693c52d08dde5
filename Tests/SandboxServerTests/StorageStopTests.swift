import Foundation
import SandboxState
import Testing

@testable import SandboxServer

/// When a node stops because its storage cannot be written (docs/storage.md, "A full disk"),
/// and the chaos harness's broken-build switch (chaos/README.md, "Teeth").
@Suite struct StorageStopTests {
    @Test func aStorageFailureOrAFullDiskStopsTheNodeAndAShutdownDoesNot() {
        let directory = NSTemporaryDirectory()
        #expect(StorageStop.reason(stopped: nil, dataDirectory: directory, minimumFreeBytes: 1) == nil)
        #expect(StorageStop.reason(stopped: "shut down", dataDirectory: directory, minimumFreeBytes: 1) == nil)
        let failed = StorageStop.reason(
            stopped: "storage write failed: RocksDB write failed: IO error: No space left on device",
            dataDirectory: directory, minimumFreeBytes: 1)
        #expect(failed?.contains("No space left on device") == true)
        let tooOld = StorageStop.reason(
            stopped: "applying committed entries failed: \(RulesVersionUnsupported(asked: 2, supported: 1))",
            dataDirectory: directory, minimumFreeBytes: 1)
        #expect(tooOld?.contains("upgrade this node's binary") == true)
        let full = StorageStop.reason(stopped: nil, dataDirectory: directory, minimumFreeBytes: .max)
        #expect(full?.contains("the disk holding \(directory) is full") == true)
    }

    @Test func theBrokenSwitchNeedsBothVariablesAndAKnownName() throws {
        #expect(try ChaosFaultInjection.configured([:]) == nil)
        #expect(try ChaosFaultInjection.configured(["SANDBOX_CHAOS_BROKEN": ""]) == nil)
        #expect(throws: ConfigError.self) {
            _ = try ChaosFaultInjection.configured(["SANDBOX_CHAOS_BROKEN": "ack-unknown-as-allow"])
        }
        #expect(throws: ConfigError.self) {
            _ = try ChaosFaultInjection.configured(["SANDBOX_CHAOS_BROKEN": "nonsense", "SANDBOX_CHAOS_UNSAFE": "1"])
        }
        let broken = try ChaosFaultInjection.configured([
            "SANDBOX_CHAOS_BROKEN": "ack-unknown-as-allow", "SANDBOX_CHAOS_UNSAFE": "1",
        ])
        #expect(broken == .ackUnknownAsAllow)
    }
}
