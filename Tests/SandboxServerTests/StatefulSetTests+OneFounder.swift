import Foundation
import ServerTestSupport
import Testing

extension StatefulSetTests {
    /// Installed with one founding replica (`--replicas 1`) and scaled out to three, pod 0 loses
    /// its disk: it asks the pods past the founding one too, finds the cluster there and rejoins
    /// it, instead of founding a second cluster of its own whose only voter is node 1 (review
    /// M2: split brain behind one Service).
    @Test func aLostDiskOnTheOnlyFoundingPodRejoinsTheCluster() async throws {
        let cluster = LocalCluster(size: 3)
        cluster.addressPerNode = true
        defer { cluster.stopAll() }
        let hosts = try writeHosts(cluster)
        for ordinal in 0..<3 { try startPod(ordinal, cluster, hosts: hosts, replicas: 1) }
        try await waitFor("three voters", within: .seconds(90)) {
            for node in 1...3 where await voters(cluster, on: node) != [1, 2, 3] { return false }
            return true
        }
        try await cluster.waitUntilReady([1, 2, 3])
        try await cluster.provision(budget: 1_000_000)
        #expect(await cluster.decideRetrying("before", on: [2]) != nil)

        cluster.kill(1, signal: SIGKILL)
        try FileManager.default.removeItem(atPath: cluster.directory.subpath("node-1"))
        try startPod(0, cluster, hosts: hosts, replicas: 1)
        try await waitUntilAddedBack(1, seenBy: 2, cluster)
        #expect(!cluster.log(1).contains("bootstrapped a new cluster"), "\(cluster.log(1))")
        #expect(await voters(cluster, on: 1) == [1, 2, 3])
        #expect(await cluster.decideRetrying("after", on: [1]) != nil)
        try await cluster.waitForConvergence([1, 2, 3])
    }
}
