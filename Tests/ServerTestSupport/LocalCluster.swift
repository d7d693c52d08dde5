import Foundation
import TestSupport
import Testing

/// `sandboxd` processes on 127.0.0.1 (the binary built next to the tests), each stopped by its
/// PID when the test ends.
public final class LocalCluster: @unchecked Sendable {
    public let directory = TemporaryDirectory("sandboxd")
    public let size: Int
    public let base: Int
    public let adminToken = "test-admin-token-\(UInt64.random(in: 0 ... .max))"
    public private(set) var processes: [Int: Process] = [:]
    /// The nodes every node's `--peers` lists (the founding members, then the ones added).
    public var members: [Int]
    /// Flags every node gets (`--compact-after 100`, ...).
    public var extraArguments: [String] = []
    /// Whether the nodes get `--admin-token adminToken` (without it the first leader generates one).
    public var configuresAdminToken = true
    /// Environment variables every node gets besides the cluster secret and signing key.
    public var environment: [String: String] = [:]
    /// Node N on its own loopback address 127.0.0.N, every node on the same ports (as pods are);
    /// otherwise every node on 127.0.0.1 with ports of its own.
    public var addressPerNode = false

    public init(size: Int = 3) {
        self.size = size
        members = Array(1...size)
        // Below the ephemeral range (32768 up), so no outgoing connection holds a node's port;
        // never shared with another cluster of this test run (``ClusterPorts``).
        base = ClusterPorts.take()
    }

    deinit { for node in processes.keys { kill(node, signal: SIGKILL) } }

    public static var binary: String { executable("sandboxd") }

    /// `sandboxd ARGUMENTS` run to its end (a command such as `recover`): its exit status and
    /// output (stdout and stderr together).
    public static func runCommand(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// A product built next to the tests (`SANDBOXD` overrides sandboxd's path).
    public static func executable(_ name: String) -> String {
        if name == "sandboxd", let path = ProcessInfo.processInfo.environment["SANDBOXD"] { return path }
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent().path
        for candidate in ["\(bundle)/\(name)", "\(FileManager.default.currentDirectoryPath)/.build/debug/\(name)"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return ".build/debug/\(name)"
    }

    public func host(_ node: Int) -> String { addressPerNode ? "127.0.0.\(node)" : "127.0.0.1" }
    public func httpAddress(_ node: Int) -> String { "\(host(node)):\(base + (addressPerNode ? 0 : node - 1))" }
    public func peerAddress(_ node: Int) -> String { "\(host(node)):\(base + 1000 + (addressPerNode ? 0 : node - 1))" }

    public func url(_ node: Int, _ path: String) -> URL { URL(string: "http://\(httpAddress(node))\(path)")! }

    public static let clusterSecret = "local-cluster-test-secret-0123456789"
    /// The test clusters' policy-signing key (base64 of an Ed25519 seed), as a Secret would give it.
    public static let signingKey = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="

    /// Starts a node: a founding member bootstraps; with `join`, it waits to be added. It exits
    /// by itself if the test process dies (`--exit-with-parent`).
    public func start(_ node: Int, join: Bool = false) throws {
        let peers = members.map { "\($0)=\(peerAddress($0))" }.joined(separator: ",")
        try launch(node, arguments: ["--node-id", "\(node)", "--peers", peers, join ? "--join" : "--bootstrap"])
    }

    /// Starts node `node` with `arguments` after the flags every node gets (its data directory,
    /// addresses, cluster id, tick, 1 MiB log segments, `--exit-with-parent`, the admin token,
    /// `extraArguments`). The small segments keep the hundreds of node starts of a test run from
    /// writing 32 MiB of zeros each at once (the suites run in parallel), and roll segments often.
    public func launch(_ node: Int, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments =
            [
                "--data-dir", directory.subpath("node-\(node)"), "--http", httpAddress(node),
                "--peer-listen", peerAddress(node), "--cluster-id", "test", "--tick-ms", "20",
                "--log-segment-mb", "1", "--exit-with-parent", "\(getpid())",
            ] + arguments + (configuresAdminToken ? ["--admin-token", adminToken] : []) + extraArguments
        // Every test cluster authenticates its peers (through the environment, as a Secret would).
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["SANDBOX_CLUSTER_SECRET": Self.clusterSecret, "SANDBOX_SIGNING_KEY": Self.signingKey]) { $1 }
            .merging(environment) { $1 }
        let log = FileHandle(forWritingAtPath: createLog(node))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[node] = process
    }

    private func createLog(_ node: Int) -> String {
        let path = directory.subpath("node-\(node).log")
        FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    public func startAll() throws { for node in 1...size { try start(node) } }

    /// Sends `signal` without waiting (the test waits with `waitForExit`).
    public func signal(_ node: Int, _ signal: Int32) {
        if let process = processes[node] { Glibc.kill(process.processIdentifier, signal) }
    }

    public func waitForExit(_ node: Int) {
        if let process = processes.removeValue(forKey: node) { Self.waitBounded(process, node: node) }
    }

    /// Sends `signal` to the node's process (by PID) and waits for it to exit; returns how it
    /// ended (`.exit` and its status, or `.uncaughtSignal` and the signal).
    @discardableResult public func kill(_ node: Int, signal: Int32) -> (Process.TerminationReason, Int32)? {
        guard let process = processes.removeValue(forKey: node) else { return nil }
        Glibc.kill(process.processIdentifier, signal)
        Self.waitBounded(process, node: node)
        return (process.terminationReason, process.terminationStatus)
    }

    /// Waits up to 60 s for the process to exit; a node still running then (a shutdown that
    /// hangs) is killed with SIGKILL and an issue is recorded, so that a test never hangs on it.
    static func waitBounded(_ process: Process, node: Int) {
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            Issue.record("node \(node) did not exit within 60 s of its signal: killed with SIGKILL")
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Stops every node with SIGKILL (a crash: what the nodes must survive anyway) and waits
    /// for each to exit, which then takes milliseconds. Tests call this from `defer` in async
    /// functions, so the wait blocks a thread of Swift's cooperative pool (two threads on these
    /// machines): with SIGTERM a node's graceful shutdown (a leader handing over first) took
    /// seconds, and several suites ending together held both threads, stalling every other test
    /// of the process for about 30 s (ci9: 1 s timeouts measured at 34 s, in-process clusters
    /// "timed out waiting for a leader"). Graceful shutdown is tested where a test sends SIGTERM
    /// itself (`kill(_:signal:)`, OperationsTests).
    public func stopAll() {
        let nodes = processes.keys.sorted()
        for node in nodes { signal(node, SIGKILL) }
        for node in nodes { waitForExit(node) }
    }

    public func log(_ node: Int) -> String {
        (try? String(contentsOfFile: directory.subpath("node-\(node).log"), encoding: .utf8)) ?? ""
    }

    /// One HTTP call; nil when the node does not answer (in 3 s for a read, 10 s for a write: a
    /// proposal on a loaded CI machine can take seconds to commit). The answer of a documented
    /// route is checked against `docs/openapi.yaml` (an issue is recorded when it contradicts it).
    public func call(
        _ node: Int, _ method: String, _ path: String, json: String? = nil, headers: [String: String] = [:]
    ) async -> (status: Int, body: [String: Any])? {
        guard
            let answer = await TestHTTPClient.send(
                url(node, path), method, body: json.map { Data($0.utf8) }, headers: headers,
                timeout: method == "GET" ? 3 : 10)
        else { return nil }
        OpenAPI.check(method, path, status: answer.status, body: answer.body)
        let body = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] ?? [:]
        return (answer.status, body)
    }

    /// A GET answered as text (`/metrics`); nil when the node does not answer.
    public func text(_ node: Int, _ path: String) async -> String? {
        guard let answer = await TestHTTPClient.send(url(node, path), "GET", timeout: 3) else { return nil }
        return String(decoding: answer.body, as: UTF8.self)
    }

    public func admin(_ node: Int, _ method: String, _ path: String, _ body: String) async -> (
        status: Int, body: [String: Any]
    )? {
        await call(node, method, path, json: body, headers: ["Authorization": "Bearer \(adminToken)"])
    }

    /// ``admin(_:_:_:_:)`` asked again (bounded, 30 s) while the answer is a retryable 503 that
    /// applied nothing (a leadership change on a loaded machine); any other answer, or an
    /// unknown outcome, is returned as it is.
    public func adminRetrying(_ node: Int, _ method: String, _ path: String, _ body: String) async -> (
        status: Int, body: [String: Any]
    )? {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let answer = await admin(node, method, path, body)
            let code = (answer?.body["error"] as? [String: Any])?["code"] as? String
            guard answer?.status == 503, code != "outcome_unknown", ContinuousClock.now < deadline else {
                return answer
            }
            try? await Task.sleep(for: .milliseconds(300))
        }
    }
}
