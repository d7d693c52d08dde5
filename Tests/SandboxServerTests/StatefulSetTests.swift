import Foundation
import ServerTestSupport
import Testing

/// StatefulSet mode on real processes, as in a pod set: pods `sandbox-0..2` on their own loopback
/// addresses (127.0.0.1-3, the same ports each, as pods have), their DNS names
/// (`sandbox-K.sandbox-peers.default.svc.cluster.local`) resolved through `--hosts-file`, form a
/// cluster from nothing but their pod names; pods 3 and 4 started later add themselves as voters
/// (scale out to 5); one of them restarted (a rolling update) leaves and comes back; SIGTERM to
/// both at once removes them before they stop (scale in to 3); a
/// founding pod restarted on an empty data directory (a lost disk) rejoins without bootstrapping.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StatefulSetTests {
    static let service = "sandbox-peers.default.svc.cluster.local"

    func startPod(_ ordinal: Int, _ cluster: LocalCluster, hosts: String, replicas: Int = 3) throws {
        try cluster.launch(
            ordinal + 1,
            arguments: [
                "--statefulset", "--pod-name", "sandbox-\(ordinal)", "--replicas", "\(replicas)", "--hosts-file", hosts,
            ])
    }

    /// A file whose existence holds every promotion of a learner to voter (the test hook
    /// `SANDBOX_TEST_HOLD_PROMOTION`, given to every node of `cluster`): a joining pod then
    /// stays at the learner stage until the file is removed.
    func holdPromotions(_ cluster: LocalCluster) -> String {
        let file = cluster.directory.subpath("hold-promotion")
        cluster.environment["SANDBOX_TEST_HOLD_PROMOTION"] = file
        return file
    }

    func members(_ cluster: LocalCluster, on node: Int) async -> (voters: [Int], learners: [Int])? {
        guard let body = await cluster.call(node, "GET", "/v1/cluster")?.body else { return nil }
        return (
            ((body["voters"] as? [Int]) ?? []).sorted(), ((body["learners"] as? [Int]) ?? []).sorted()
        )
    }

    func voters(_ cluster: LocalCluster, on node: Int) async -> [Int] {
        ((await cluster.call(node, "GET", "/v1/cluster")?.body["voters"] as? [Int]) ?? []).sorted()
    }

    /// Writes the hosts file, starts the three founding pods and provisions them; returns the
    /// hosts file.
    func startFoundingPods(_ cluster: LocalCluster) async throws -> String {
        let hosts = try writeHosts(cluster)
        for ordinal in 0..<3 { try startPod(ordinal, cluster, hosts: hosts) }
        try await cluster.waitUntilReady([1, 2, 3])
        try await cluster.provision(budget: 1_000_000)
        return hosts
    }

    /// Waits until `node` has been added back as a voter (its log says so), `other` lists the
    /// three voters and `node` is ready; on a timeout, records every node's view and log.
    func waitUntilAddedBack(_ node: Int, seenBy other: Int, _ cluster: LocalCluster) async throws {
        do {
            try await waitFor("node \(node) back as a voter", within: .seconds(90)) {
                guard cluster.log(node).contains("added to the cluster as a voter") else { return false }
                let ready = await cluster.call(node, "GET", "/readyz")?.status == 200
                return await voters(cluster, on: other) == [1, 2, 3] && ready
            }
        } catch {
            for member in 1...3 {
                let view = await cluster.call(member, "GET", "/v1/cluster")?.body ?? [:]
                Issue.record("node \(member): \(view)\n\(cluster.log(member))")
            }
            throw error
        }
    }

    /// The hosts file resolving pods 0..<size to 127.0.0.1... (as the headless service would).
    func writeHosts(_ cluster: LocalCluster) throws -> String {
        let hosts = cluster.directory.subpath("hosts")
        try (0..<cluster.size).map { "127.0.0.\($0 + 1) sandbox-\($0).\(Self.service)" }.joined(separator: "\n")
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        return hosts
    }

    @Test func podsFormAClusterScaleOutToFiveAndBackToThree() async throws {
        let cluster = LocalCluster(size: 5)
        cluster.addressPerNode = true
        defer { cluster.stopAll() }
        let hosts = try await startFoundingPods(cluster)
        let rows = await cluster.admin(1, "GET", "/v1/cluster/members", "")?.body["members"] as? [[String: Any]] ?? []
        let port = cluster.base
        #expect(
            Set(rows.compactMap { $0["http"] as? String })
                == Set((0..<3).map { "sandbox-\($0).\(Self.service):\(port)" }), "addresses by DNS name: \(rows)")
        for node in 1...3 { #expect(await cluster.decideRetrying("founding-\(node)", on: [node]) != nil) }

        // Scale out: pods 3 and 4 start together and add themselves.
        try startPod(3, cluster, hosts: hosts)
        try startPod(4, cluster, hosts: hosts)
        try await waitFor("five voters on every pod", within: .seconds(60)) {
            for node in 1...5 where await voters(cluster, on: node) != [1, 2, 3, 4, 5] { return false }
            return true
        }
        for node in 4...5 { #expect(await cluster.decideRetrying("scaled-\(node)", on: [node]) != nil) }
        try await cluster.waitForConvergence([1, 2, 3, 4, 5])

        // A rolling update of an added pod: it leaves on SIGTERM and adds itself again on start.
        cluster.kill(5, signal: SIGTERM)
        try await waitFor("node 5 to have left") { await voters(cluster, on: 1) == [1, 2, 3, 4] }
        try startPod(4, cluster, hosts: hosts)
        try await waitFor("node 5 back as a voter", within: .seconds(60)) {
            await voters(cluster, on: 1) == [1, 2, 3, 4, 5]
        }

        // Scale in: both elastic pods get SIGTERM at once (Parallel pod management) and leave.
        cluster.signal(5, SIGTERM)
        cluster.signal(4, SIGTERM)
        cluster.waitForExit(5)
        cluster.waitForExit(4)
        for node in 1...3 {
            try await waitFor("node \(node) to see three voters") { await voters(cluster, on: node) == [1, 2, 3] }
        }
        #expect(cluster.log(4).contains("removed from the cluster before stopping"), "\(cluster.log(4))")
        for node in 1...3 { #expect(await cluster.decideRetrying("after-\(node)", on: [node]) != nil) }

        // A founding pod's disk is lost: it restarts empty, finds the cluster running, and instead
        // of bootstrapping removes its old self and is added back, caught up.
        cluster.kill(3, signal: SIGKILL)
        try FileManager.default.removeItem(atPath: cluster.directory.subpath("node-3"))
        try startPod(2, cluster, hosts: hosts)
        try await waitFor("node 3 back as a voter", within: .seconds(60)) {
            guard cluster.log(3).contains("added to the cluster as a voter") else { return false }
            let ready = await cluster.call(3, "GET", "/readyz")?.status == 200
            return await voters(cluster, on: 1) == [1, 2, 3] && ready
        }
        #expect(!cluster.log(3).contains("bootstrapped a new cluster"), "\(cluster.log(3))")
        #expect(cluster.log(3).contains("lists it as a voter: removing it first"), "\(cluster.log(3))")
        #expect(await cluster.decideRetrying("after-disk", on: [3]) != nil)
        try await cluster.waitForConvergence([1, 2, 3])
    }
}
