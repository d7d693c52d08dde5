import Foundation
import SandboxServer
import ServerTestSupport
import TestSupport
import Testing

/// The API over TLS from a certificate and key in the configuration: a client that trusts the
/// (self-signed, generated here) certificate gets answers; plain HTTP gets none; the console's
/// session cookie is `Secure`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TLSTests {
    /// Runs a tool to completion; its standard output, or nil when it failed.
    static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    @Test func theAPIServesHTTPSWithTheConfiguredCertificate() async throws {
        let cluster = LocalCluster(size: 1)  // its ports and directory; the process is ours
        let certificate = cluster.directory.subpath("cert.pem")
        let key = cluster.directory.subpath("key.pem")
        let generated = Self.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        try #require(generated != nil, "openssl generates a self-signed certificate")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        process.arguments = [
            "--dev", "--http", cluster.httpAddress(1), "--peer-listen", cluster.peerAddress(1), "--tls-cert",
            certificate, "--tls-key", key, "--exit-with-parent", "\(getpid())",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let https = "https://\(cluster.httpAddress(1))/health"
        try await waitFor("an answer over HTTPS") {
            Self.run(["curl", "-s", "--max-time", "3", "--cacert", certificate, https])?.contains("ok") == true
        }
        #expect(Self.run(["curl", "-s", "--max-time", "3", https]) == nil, "an untrusted certificate is refused")
        #expect(await cluster.call(1, "GET", "/health") == nil, "plain HTTP gets no answer")
        let login = Self.run([
            "curl", "-s", "--max-time", "5", "--cacert", certificate, "-o", "/dev/null", "-D", "-",
            "-d", "token=", "https://\(cluster.httpAddress(1))/approvals/login",
        ])
        let cookie = login?.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }
        #expect(cookie?.contains("sandbox_session=") == true, "\(String(describing: login))")
        #expect(cookie?.hasSuffix("; Secure") == true, "a console session served over TLS is Secure")
    }

    @Test func certificateAndKeyComeTogetherAndMustBeReadable() throws {
        let directory = TemporaryDirectory("tls-config")
        let file = directory.subpath("cert.pem")
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--dev", "--tls-cert", file], environment: [:])
        }
        #expect(throws: ConfigError.self) {
            try ServerConfig(arguments: ["--dev", "--tls-cert", file, "--tls-key", "/nonexistent"], environment: [:])
        }
        let config = try ServerConfig(arguments: ["--dev", "--tls-cert", file, "--tls-key", file], environment: [:])
        #expect(config.httpScheme == "https")
        #expect(try ServerConfig(arguments: ["--dev"], environment: [:]).httpScheme == "http")
    }
}
