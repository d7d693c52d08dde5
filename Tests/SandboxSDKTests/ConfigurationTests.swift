import Foundation
import JSON
import SandboxSDK
import ServerTestSupport
import TestSupport
import Testing

/// Configurations that cannot work are refused with a message, never a crash; a client that is
/// never closed is released without trapping; with no node listening, the answer is a denial
/// within the deadline.
@Suite struct ConfigurationTests {
    let node = URL(string: "http://127.0.0.1:1")!  // nothing listens on port 1

    func refused(_ make: () throws -> SandboxClient) -> String? {
        do {
            _ = try make()
            return nil
        } catch { return "\(error)" }
    }

    @Test func unusableConfigurationsAreRefusedWithAReason() {
        var zero = SandboxClientOptions()
        zero.maxAttempts = 0
        var batch = SandboxClientOptions()
        batch.denialBatchSize = 101
        var slow = SandboxClientOptions()
        slow.deadline = .seconds(2)
        var tight = SandboxClientOptions()
        tight.policyBackoff = .zero
        let cases: [(String, () throws -> SandboxClient)] = [
            ("at least one endpoint", { try SandboxClient(endpoints: [], agentID: "a", apiKey: "k") }),
            (
                "http:// or https://",
                { try SandboxClient(endpoints: [URL(string: "ftp://h")!], agentID: "a", apiKey: "k") }
            ),
            ("agentID", { try SandboxClient(endpoints: [node], agentID: "", apiKey: "k") }),
            ("apiKey", { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "") }),
            ("Ed25519", { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "k", policyPublicKeys: ["xyz"]) }),
            ("maxAttempts", { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "k", options: zero) }),
            ("1 to 100", { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "k", options: batch) }),
            ("less than deadline", { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "k", options: slow) }),
            ("policyBackoff", { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "k", options: tight) }),
        ]
        for (expected, make) in cases {
            let message = refused(make)
            #expect(message?.contains(expected) == true, "\(expected): \(String(describing: message))")
        }
    }

    /// A version floor file that cannot be trusted stops the client's creation (never a silent
    /// reset to zero, which would accept a rollback); so does one given without the cache.
    @Test func anUnreadableVersionFloorFileIsRefusedWithAReason() async throws {
        let directory = TemporaryDirectory("floor")
        let path = directory.subpath("floor.json")
        var options = SandboxClientOptions()
        options.policyVersionFloorFile = path
        options.closeDeadline = .milliseconds(100)  // nothing listens: close() need not try for long
        let make = { try SandboxClient(endpoints: [node], agentID: "a", apiKey: "k", options: options) }
        #expect(refused(make)?.contains("needs the policy cache") == true)
        let cases = [
            ("{not json", "is not {\"agent_id\""), (#"{"agent_id": "a", "policy_version": -1}"#, "is not"),
            (#"{"agent_id": "a"}"#, "is not"), (#"{"agent_id": "b", "policy_version": 3}"#, "agent `b`'s"),
        ]
        for (text, expected) in cases {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            let message = refused {
                try SandboxClient(
                    endpoints: [node], agentID: "a", apiKey: "k", policyPublicKeys: [LocalCluster.publicKey],
                    options: options)
            }
            #expect(message?.contains(expected) == true, "\(text): \(String(describing: message))")
        }
        try FileManager.default.removeItem(atPath: path)
        let fresh = try SandboxClient(
            endpoints: [node], agentID: "a", apiKey: "k", policyPublicKeys: [LocalCluster.publicKey], options: options)
        #expect(await fresh.policyVersionFloor()?.version == 0, "a missing file is version 0")
        await fresh.close()
    }

    @Test func withNoNodeListeningTheAnswerIsADenialAndAnUnclosedClientIsReleased() async throws {
        var options = SandboxClientOptions()
        options.deadline = .seconds(1)
        options.attemptTimeout = .milliseconds(500)
        var client: SandboxClient? = try SandboxClient(
            endpoints: [node, URL(string: "http://127.0.0.1:2/")!], agentID: "a", apiKey: "k", options: options)
        let started = ContinuousClock.now
        let decision = await client!.toolCall("crm.read")
        #expect(decision.outcome == .deny && decision.reason == "sandbox unreachable")
        // The deadline plus slack for a loaded test process (other suites' blocking waits stall it).
        #expect(ContinuousClock.now - started < .seconds(5))
        client = nil  // never closed: must not trap (async-http-client does on an open client)
        try await Task.sleep(for: .milliseconds(300))
    }
}
