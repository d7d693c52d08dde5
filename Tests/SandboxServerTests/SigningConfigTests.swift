import Foundation
import Logging
import SandboxSigning
import ServerTestSupport
import TestSupport
import Testing

@testable import SandboxServer

/// The signing key's settings: from a file (base64 or PEM) or the environment, retired keys,
/// and the refusals: a bad key names its setting; no key, no start (except `--dev`).
@Suite struct SigningConfigTests {
    static let seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
    static let pem =
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIN5ZUHksXEUCicyYS23WCXa7iqckTrnimU/4FppbmDnM\n-----END PRIVATE KEY-----\n"
    static let retired = "kPdi3O5wlAeBjlyFkxCBFAju/pkQKuFgIk04Ri08cAs="

    func config(_ arguments: [String], _ environment: [String: String] = [:]) throws -> ServerConfig {
        try ServerConfig(arguments: ["--node-id", "1"] + arguments, environment: environment)
    }

    @Test func theKeyComesFromAFileOrTheEnvironment() throws {
        let directory = TemporaryDirectory("signing-config")
        let base64File = directory.subpath("seed.key")
        let pemFile = directory.subpath("key.pem")
        try Self.seed.write(toFile: base64File, atomically: true, encoding: .utf8)
        try Self.pem.write(toFile: pemFile, atomically: true, encoding: .utf8)
        let fromFile = try config(["--signing-key-file", base64File])
        let fromEnvironment = try config([], ["SANDBOX_SIGNING_KEY": Self.seed])
        #expect(fromFile.signingKey != nil && fromFile.signingKey == fromEnvironment.signingKey)
        let key = try SigningKey(rawBytes: try #require(fromFile.signingKey))
        #expect(key.keyID == "21fe31dfa154a261")
        let fromPEM = try config([], ["SANDBOX_SIGNING_KEY_FILE": pemFile])
        #expect(fromPEM.signingKey != nil && fromPEM.signingKey != fromFile.signingKey)
        #expect(try config([]).signingKey == nil)
    }

    @Test func retiredKeysAreListed() throws {
        let directory = TemporaryDirectory("signing-config")
        let list = directory.subpath("retired")
        try "# before the 2026 rotation\n\(Self.retired)  # old\n\n".write(
            toFile: list, atomically: true, encoding: .utf8)
        let config = try config(["--retired-keys-file", list])
        #expect(config.retiredSigningKeys.count == 1)
        #expect(
            try self.config([], ["SANDBOX_RETIRED_KEYS": "\(Self.retired), \(Self.retired)"]).retiredSigningKeys.count
                == 2)
        let ring = try SandboxServer.keyRing(
            self.config(["--signing-key", Self.seed, "--retired-keys", "\(Self.retired),\(Self.retired)"]), dev: false,
            logger: Logger(label: "test"))
        #expect(ring.keys.count == 2, "the retired key once, after the active one")
    }

    @Test func aBadKeyNamesItsSetting() throws {
        let described = "\(Result { try config(["--signing-key", "AAAA"]) })"
        #expect(described.contains("--signing-key") && described.contains("32"))
        #expect(throws: ConfigError.self) { try config(["--signing-key-file", "/nonexistent/key"]) }
        #expect(throws: ConfigError.self) { try config(["--retired-keys", "not-a-key"]) }
        #expect(throws: ConfigError.self) { try config(["--signing-key", Self.seed, "--signing-key-file", "/x"]) }
    }

    @Test func noKeyNoStartExceptInDevMode() throws {
        let logger = Logger(label: "test")
        #expect(throws: SigningConfigError.self) { try SandboxServer.keyRing(config([]), dev: false, logger: logger) }
        let first = try SandboxServer.keyRing(config([]), dev: true, logger: logger)
        let second = try SandboxServer.keyRing(config([]), dev: true, logger: logger)
        #expect(first.signingKey.keyID != second.signingKey.keyID, "a throwaway key per start")
        // The daemon itself: exit status 2 and the message, before opening anything.
        let directory = TemporaryDirectory("signing-config")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        process.arguments = ["--node-id", "1", "--data-dir", directory.subpath("data"), "--http", "127.0.0.1:1"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 2)
        #expect(log.contains("no policy-signing key"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: directory.subpath("data")))
    }
}
