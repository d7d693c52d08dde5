import Foundation
import ServerTestSupport
import Testing

extension StatefulSetTests {
    /// A founding pod that lost its disk is killed while it rejoins, at the two stages that used
    /// to go wrong, and restarted on the directory its interrupted start filled: just after it
    /// decided to rejoin (it bootstrapped an empty cluster of its own on restart), and while the
    /// leader lists it as a learner (it stayed a learner for good). It resumes the rejoin recorded
    /// in its data directory and ends a voter again, never bootstrapping. Promotions are held
    /// (``holdPromotions(_:)``) until the last start, so each stage is reached, and no add of a
    /// killed run is still under way, whatever the machine's speed.
    @Test func aRejoinInterruptedByAKillResumesOnRestart() async throws {
        let cluster = LocalCluster(size: 3)
        cluster.addressPerNode = true
        let hold = holdPromotions(cluster)
        defer { cluster.stopAll() }
        let hosts = try await startFoundingPods(cluster)
        for node in 1...3 { #expect(await cluster.decideRetrying("before-\(node)", on: [node]) != nil) }
        FileManager.default.createFile(atPath: hold, contents: nil)
        let intent = cluster.directory.subpath("node-3/rejoin-pending")
        var logs = ""

        // Killed as soon as it has decided to rejoin and opened its storage.
        cluster.kill(3, signal: SIGKILL)
        try FileManager.default.removeItem(atPath: cluster.directory.subpath("node-3"))
        try startPod(2, cluster, hosts: hosts)
        try await waitFor("pod 2 to decide to rejoin and start") {
            cluster.log(3).contains("joining it instead of bootstrapping") && cluster.log(3).contains("node started")
        }
        cluster.kill(3, signal: SIGKILL)
        logs += cluster.log(3)
        #expect(FileManager.default.fileExists(atPath: intent), "\(logs)")

        // Restarted: it resumes, removes its old self and is held at the learner stage; killed.
        try startPod(2, cluster, hosts: hosts)
        try await waitFor("pod 2 held as a learner", within: .seconds(60)) {
            guard cluster.log(3).contains("added as a learner, not promoted yet") else { return false }
            return await members(cluster, on: 1).map { $0.voters == [1, 2] && $0.learners == [3] } ?? false
        }
        cluster.kill(3, signal: SIGKILL)
        logs += cluster.log(3)
        #expect(cluster.log(3).contains("resuming an interrupted rejoin"), "\(cluster.log(3))")
        let stage = (try? String(contentsOfFile: intent, encoding: .utf8)) ?? ""
        #expect(stage.trimmingCharacters(in: .whitespacesAndNewlines) == "stale-self-removed", "\(stage)")

        // Restarted with promotions released: it resumes and the leader promotes it.
        try FileManager.default.removeItem(atPath: hold)
        try startPod(2, cluster, hosts: hosts)
        try await waitUntilAddedBack(3, seenBy: 1, cluster)
        logs += cluster.log(3)
        #expect(!logs.contains("bootstrapped a new cluster"), "\(logs)")
        #expect(cluster.log(3).contains("resuming an interrupted rejoin"), "\(cluster.log(3))")
        #expect(!FileManager.default.fileExists(atPath: intent))
        #expect(await cluster.decideRetrying("after-rejoin", on: [3]) != nil)
        try await cluster.waitForConvergence([1, 2, 3])
    }
}
