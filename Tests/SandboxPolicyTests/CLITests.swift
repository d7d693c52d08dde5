import Foundation
import JSON
import JSONSchema
import Testing

/// The `sandboxctl policy` contract, end to end: runs the built binary.
@Suite struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The sandboxctl built next to the test bundle (`swift build --build-tests` builds both, in
    /// the same folder, for whichever configuration the tests were built in): the folder of the
    /// running test executable, found however the tests were started; last, the package's build
    /// folder for this configuration.
    static let binary: URL? = {
        #if DEBUG
            let configuration = "debug"
        #else
            let configuration = "release"
        #endif
        let executables = [
            Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0]),
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
        ]
        let folders =
            executables.compactMap { $0?.deletingLastPathComponent() }
            + [Fixtures.root.appendingPathComponent(".build/\(configuration)")]
        let candidates = folders.map { $0.appendingPathComponent("sandboxctl") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    func run(_ arguments: [String], input: String? = nil) throws -> Run {
        guard let binary = CLITests.binary else {
            Issue.record("sandboxctl is not built next to the tests; run swift build --build-tests")
            return Run(status: -1, stdout: "", stderr: "")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("sandboxctl \(arguments) did not finish in 30 s")
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryFile(_ contents: String, _ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-cli-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test func checkAcceptsTheExampleWithoutWarnings() throws {
        let result = try run(["policy", "check", "policies/examples/sales_agent.yaml"])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("warning"), "\(result.stdout)")
    }

    @Test func checkWarnsAboutAnAPIKeyInThePolicy() throws {
        let path = try temporaryFile("agent: \"sales\"\napi_key: \"DEV-AGENT-KEY-123\"\n", "with-key.yaml")
        let result = try run(["policy", "check", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("with-key.yaml:2:1: warning: `api_key`"))
    }

    @Test func checkWarnsAboutABroadCIDRAllowance() throws {
        let path = try temporaryFile("network:\n  allow_cidrs: [\"10.20.0.0/16\", \"0.0.0.0/0\"]\n", "broad.yaml")
        let result = try run(["policy", "check", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "broad.yaml:2:33: warning: `allow_cidrs` entry `0.0.0.0/0` allows loopback (127.0.0.0/8) and every address"
            ))
        #expect(!result.stdout.contains("`10.20.0.0/16`"))
    }

    @Test func checkReportsAMetadataOptInLoudly() throws {
        let path = try temporaryFile("network:\n  allow_metadata: true\n", "metadata.yaml")
        let result = try run(["policy", "check", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("metadata.yaml:2:19: warning: SECURITY: `allow_metadata: true`"))
        #expect(result.stdout.contains("CLOUD METADATA REACHABLE"))
    }

    @Test func checkResolvesSchemaFilesRelativeToThePolicy() throws {
        let result = try run(["policy", "check", "policies/examples/support_agent.yaml"])
        #expect(result.status == 0, "\(result.stdout)")
        let refund = try run([
            "policy", "eval", "--policy", "policies/examples/support_agent.yaml", "--request",
            "@policies/examples/requests/email-missing-subject.json",
        ])
        let decision = try JSONValue(parsing: refund.stdout)
        #expect(decision["decision"] == "deny")
        #expect(decision["reason"]?.stringValue?.contains("subject") == true)
    }

    @Test func checkReportsErrorsAsFileLineColumn() throws {
        let path = try temporaryFile("tools:\n  alow: [a]\n", "bad.yaml")
        let result = try run(["policy", "check", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(path):2:3: unknown key `alow` in `tools`; did you mean `allow`?"))
    }

    @Test(arguments: [
        ("crm-read", "allow"), ("email-external", "needs_approval"), ("email-internal", "allow"),
        ("payments-charge", "deny"), ("http-allowed", "allow"), ("http-denied", "deny"),
    ])
    func evalPrintsTheDecisionAsJSON(_ request: String, _ expected: String) throws {
        let result = try run([
            "policy", "eval", "--policy", "policies/examples/sales_agent.yaml", "--request",
            "@policies/examples/requests/\(request).json",
        ])
        #expect(result.status == 0)
        let decision = try JSONValue(parsing: result.stdout)
        #expect(decision["decision"] == .string(expected))
        #expect(decision["reason"]?.stringValue?.isEmpty == false)
        #expect(decision["rule"]?.stringValue?.isEmpty == false)
        #expect((decision["trace"]?.arrayValue?.count ?? 0) > 0)
    }

    @Test func evalTakesInlineJSON() throws {
        let result = try run([
            "policy", "eval", "--policy", "policies/examples/sales_agent.yaml", "--request",
            #"{"tool": "email.send", "params": {"recipient": "x@gmail.com"}, "chain_depth": 5}"#,
        ])
        #expect(result.status == 0)
        let decision = try JSONValue(parsing: result.stdout)
        #expect(decision["decision"] == "deny")
        #expect(decision["rule"] == "budgets.max_chain_depth")
    }

    @Test func evalReadsTheRequestFromStandardInput() throws {
        let result = try run(
            ["policy", "eval", "--policy", "policies/examples/sales_agent.yaml", "--request", "@-"],
            input: #"{"http": {"url": "http://[::ffff:169.254.169.254]/"}}"#)
        #expect(result.status == 0)
        let decision = try JSONValue(parsing: result.stdout)
        #expect(decision["decision"] == "deny")
        #expect(decision["rule"] == "network.allow_metadata")
        #expect(decision["reason_code"] == "metadata_denied")
    }

    @Test func evalExitsTwoOnBadInput() throws {
        let badRequest = try run([
            "policy", "eval", "--policy", "policies/examples/sales_agent.yaml", "--request", "{not json",
        ])
        #expect(badRequest.status == 2)
        #expect(badRequest.stderr.contains("bad request"))
        let badShape = try run(["policy", "eval", "--policy", "policies/examples/sales_agent.yaml", "--request", "[1]"])
        #expect(badShape.status == 2)
        let path = try temporaryFile("tools:\n  allow: [a\n", "broken.yaml")
        let badPolicy = try run(["policy", "eval", "--policy", path, "--request", #"{"tool": "a"}"#])
        #expect(badPolicy.status == 2)
        #expect(badPolicy.stderr.contains("bad policy"))
    }

    @Test func diffShowsSemanticChanges() throws {
        let newer = try Fixtures.text("policies/examples/sales_agent.yaml").replacingOccurrences(
            of: "max_usd_per_day: 25", with: "max_usd_per_day: 40")
        let path = try temporaryFile(newer, "newer.yaml")
        let result = try run(["policy", "diff", "policies/examples/sales_agent.yaml", path])
        #expect(result.status == 0)
        #expect(result.stdout == "~ budgets.max_usd_per_day: 25 -> 40 (widens)\n")
    }
}
