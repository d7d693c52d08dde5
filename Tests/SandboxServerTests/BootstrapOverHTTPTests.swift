import Foundation
import NIOCore
import ServerTestSupport
import TestSupport
import Testing

@testable import SandboxServer

/// How a fresh node starts without configured secrets: a generated bootstrap admin token
/// (logged once, its hash replicated), and `sandboxd --dev` (tokenless from loopback only).
@Suite(.serialized, .timeLimit(.minutes(3))) struct BootstrapOverHTTPTests {
    @Test func withoutAnAdminTokenTheFirstLeaderGeneratesOneAndLogsItOnce() async throws {
        let cluster = LocalCluster(size: 3)
        cluster.configuresAdminToken = false
        defer { cluster.stopAll() }
        try cluster.startAll()
        var token: String?
        try await waitFor("a generated token in a log") {
            let logs = (1...3).map(cluster.log).joined(separator: "\n")
            token =
                logs.split(separator: "\n").compactMap { line -> String? in
                    guard line.contains("generated the bootstrap admin token"),
                        let range = line.range(of: #"sbx_[0-9a-f]{64}"#, options: .regularExpression)
                    else { return nil }
                    return String(line[range])
                }.first
            return token != nil
        }
        let auth = ["Authorization": "Bearer \(try #require(token))"]
        for node in 1...3 {
            try await waitFor("node \(node) to accept the generated token") {
                await cluster.call(node, "GET", "/v1/tokens", headers: auth)?.status == 200
            }
        }
        let logs = (1...3).map(cluster.log).joined()
        #expect(logs.components(separatedBy: "generated the bootstrap admin token").count == 2, "logged once")
        let wrong = await cluster.call(1, "GET", "/v1/tokens", headers: ["Authorization": "Bearer sbx_00"])
        #expect(wrong?.status == 401)
    }

    @Test func devAcceptsTokenlessCallsFromLoopbackAndThrowsItsDataAway() async throws {
        let cluster = LocalCluster(size: 1)  // its ports, directory and HTTP calls; the process is ours
        let logPath = cluster.directory.subpath("dev.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        process.arguments = [
            "--dev", "--http", cluster.httpAddress(1), "--peer-listen", cluster.peerAddress(1), "--tick-ms", "20",
            "--exit-with-parent", "\(getpid())",
        ]
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = process.standardError
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await waitFor("the dev node to be ready") { await cluster.call(1, "GET", "/readyz")?.status == 200 }
        // Ready means its approver `dev` exists already: a script's first vote can act as it.
        let tokens = await cluster.call(1, "GET", "/v1/tokens")
        #expect((tokens?.body["tokens"] as? [[String: Any]])?.contains { $0["id"] as? String == "dev" } == true)
        let tenant = await cluster.call(1, "POST", "/v1/tenants", json: #"{"name": "acme_corp"}"#)
        #expect(tenant?.status == 200 && tenant?.body["id"] as? String == "acme_corp")
        // A page elsewhere, in a browser on this machine, cannot use the tokenless access.
        for headers in [["Origin": "https://evil.example"], ["Sec-Fetch-Site": "cross-site"]] {
            let forged = await cluster.call(1, "POST", "/v1/tenants", json: #"{"name": "forged"}"#, headers: headers)
            #expect(forged?.status == 403, "\(headers)")
        }
        let sameOrigin = await cluster.call(
            1, "GET", "/v1/tokens",
            headers: ["Origin": "http://\(cluster.httpAddress(1))", "Sec-Fetch-Site": "same-origin"])
        #expect(sameOrigin?.status == 200)
        // Nothing was created by the refused calls: the name is still free.
        let created = await cluster.call(1, "POST", "/v1/tenants", json: #"{"name": "forged"}"#)
        #expect(created?.status == 200)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("DEVELOPMENT MODE"))
        let dataDirectory = try #require(
            log.range(of: #""data_dir":"[^"]+""#, options: .regularExpression).map {
                String(log[$0].dropFirst(12).dropLast())
            })
        #expect(FileManager.default.fileExists(atPath: dataDirectory))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: dataDirectory), "the throwaway data is gone")
    }

    /// What a rebound DNS name or a forged Host would give is not a loopback host.
    @Test func onlyLoopbackHostsMayUseTheTokenlessDevAccess() {
        for host in ["127.0.0.1:8080", "localhost", "LOCALHOST:80", "[::1]:8080", "[::1]"] {
            #expect(DevBrowserGuard.isLoopbackHost(host), "\(host)")
        }
        for host in ["evil.example:8080", "127.0.0.1.nip.io", "[::2]:80", "[::1", "10.0.0.1:8080", ""] {
            #expect(!DevBrowserGuard.isLoopbackHost(host), "\(host)")
        }
    }

    /// The failed-authentication limiter counts an IPv6 client by its /64.
    @Test func theLimiterCountsIPv6ClientsByTheirSlash64() throws {
        let one = SandboxNode.limiterKey(try .init(ipAddress: "2001:db8:0:1::5", port: 1))
        #expect(one == "2001:db8:0:1::/64")
        #expect(SandboxNode.limiterKey(try .init(ipAddress: "2001:db8:0:1:ffff::9", port: 1)) == one)
        #expect(SandboxNode.limiterKey(try .init(ipAddress: "2001:db8:0:2::5", port: 1)) != one)
        #expect(SandboxNode.limiterKey(try .init(ipAddress: "10.1.2.3", port: 1)) == "10.1.2.3")
    }

    @Test func onlyLoopbackAddressesCountAsLoopback() throws {
        #expect(SandboxNode.isLoopback(try .init(ipAddress: "127.0.0.1", port: 1)))
        #expect(SandboxNode.isLoopback(try .init(ipAddress: "127.8.0.3", port: 1)))
        #expect(SandboxNode.isLoopback(try .init(ipAddress: "::1", port: 1)))
        #expect(!SandboxNode.isLoopback(try .init(ipAddress: "10.0.0.1", port: 1)))
        #expect(!SandboxNode.isLoopback(try .init(ipAddress: "::ffff:10.0.0.1", port: 1)))
        #expect(!SandboxNode.isLoopback(nil))
    }
}
