import Foundation
import ServerTestSupport
import Testing

extension StatefulSetTests {
    /// A pod scaled in while it is still joining (SIGTERM while the leader lists it as a learner,
    /// its add not finished): its join loop stops before it removes itself, so no add of its own
    /// puts it back, and the leader never promotes a member removed while it caught up. The
    /// membership settles to the three founding voters and stays so (review M3: it used to be
    /// added again during the shutdown and could end a voter that no longer runs).
    @Test func aPodStoppedWhileJoiningIsNotAddedBack() async throws {
        let cluster = LocalCluster(size: 4)
        cluster.addressPerNode = true
        let hold = holdPromotions(cluster)
        defer { cluster.stopAll() }
        let hosts = try await startFoundingPods(cluster)
        FileManager.default.createFile(atPath: hold, contents: nil)
        try startPod(3, cluster, hosts: hosts)
        try await waitFor("pod 3 held as a learner", within: .seconds(60)) {
            guard cluster.log(4).contains("added as a learner, not promoted yet") else { return false }
            return await members(cluster, on: 1).map { $0.learners == [4] } ?? false
        }
        // Not ready while a learner (review L1: a rolling update would move on to the next pod).
        #expect(await cluster.call(4, "GET", "/readyz")?.status == 503)
        // Promotions released as the pod stops: an add still running now would promote it.
        cluster.signal(4, SIGTERM)
        try FileManager.default.removeItem(atPath: hold)
        cluster.waitForExit(4)
        #expect(cluster.log(4).contains("removed from the cluster before stopping"), "\(cluster.log(4))")
        try await waitFor("the founding voters alone", within: .seconds(30)) {
            await members(cluster, on: 1).map { $0.voters == [1, 2, 3] && $0.learners.isEmpty } ?? false
        }
        for _ in 0..<10 {
            try await Task.sleep(for: .milliseconds(500))
            let now = await members(cluster, on: 1)
            #expect(now.map { $0.voters == [1, 2, 3] && $0.learners.isEmpty } ?? true, "\(String(describing: now))")
        }
        #expect(await cluster.decideRetrying("after-scale-in", on: [1]) != nil)
    }
}
