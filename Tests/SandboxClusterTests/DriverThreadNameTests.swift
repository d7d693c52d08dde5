import ClusterTestSupport
import Foundation
import SandboxCluster
import Testing

/// The driver's threads carry their names in the OS (`top -H`, `perf`), not only in Foundation;
/// a loop on a host names the host's thread.
@Suite struct DriverThreadNameTests {
    @Test(arguments: [false, true]) func theLoopAndApplyThreadsAreNamedInTheOS(hosted: Bool) async throws {
        let cluster = try TestCluster(hosted: hosted)
        _ = try await cluster.leader()
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let names = Set(
            tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        for id in cluster.ids {
            #expect(names.contains("raft-\(id)"), "threads: \(names.sorted())")
            #expect(names.contains("apply-\(id)"), "threads: \(names.sorted())")
            #expect(!names.contains("host-\(id)"), "the host's thread kept its name: \(names.sorted())")
        }
    }
}
