import ArgumentParser
import Foundation
import JSON
import SandboxState

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `sandboxctl audit export|verify`: export the audit log from any node (page by page through
/// the cursor, as NDJSON or a JSON array), and verify an exported file's hash chain offline.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit log: export it from a node, verify an export offline.",
        subcommands: [Export.self, Verify.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the records of a time range (epoch seconds, inclusive) to a file or stdout.")

        @Option(help: "A node's HTTP address (default: $SANDBOX_URL or http://127.0.0.1:8080).")
        var url: String?

        @Option(help: "A viewer (or higher) token (default: $SANDBOX_TOKEN, then $SANDBOX_ADMIN_TOKEN).")
        var token: String?

        @Option(help: "From (epoch seconds, inclusive).") var from: UInt64 = 0
        @Option(help: "To (epoch seconds, inclusive).") var to: UInt64 = 9_999_999_999
        @Option(help: "Records per request.") var pageSize: Int = 10_000
        @Flag(help: "Write a JSON array (default: NDJSON, one record a line).") var json = false
        @Option(name: .shortAndLong, help: "The output file (default: stdout).") var output: String?

        func run() throws { try AuditFailure.reported { try export() } }

        func export() throws {
            let environment = ProcessInfo.processInfo.environment
            let base = url ?? environment["SANDBOX_URL"] ?? "http://127.0.0.1:8080"
            let bearer = token ?? environment["SANDBOX_TOKEN"] ?? environment["SANDBOX_ADMIN_TOKEN"]
            guard (1...100_000).contains(pageSize) else { throw ValidationError("--page-size must be 1...100000") }
            let sink = try AuditSink(path: output, json: json)
            var after: UInt64? = nil
            while true {
                var path = "/v1/audit/export?from=\(from)&to=\(to)&limit=\(pageSize)"
                if let after { path += "&after=\(after)" }
                guard let target = URL(string: base + path) else { throw ValidationError("bad --url \(base)") }
                var request = URLRequest(url: target, timeoutInterval: 300)
                request.setValue("application/x-ndjson", forHTTPHeaderField: "Accept")
                if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
                guard let (status, data) = ClusterHTTP.send(request) else {
                    throw AuditFailure("no answer from \(base)", code: 2)
                }
                guard status == 200 else {
                    throw AuditFailure("the node answered \(status): \(String(decoding: data, as: UTF8.self))", code: 1)
                }
                let lines = data.split(separator: UInt8(ascii: "\n"))
                for line in lines { try sink.write(line) }
                guard lines.count == pageSize, let last = lines.last,
                    let seq = (try? JSONValue(parsing: Array(last)))?.auditSequence
                else { break }
                after = seq
            }
            try sink.close()
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an exported file's hash chain offline (NDJSON or a JSON array).")

        @Argument(help: "The exported file.") var file: String

        func run() throws { try AuditFailure.reported { try verify() } }

        func verify() throws {
            let result = try AuditFile.verify(path: file)
            let records = "\(result.verification.checked) record\(result.verification.checked == 1 ? "" : "s")"
            if let failure = result.verification.failure {
                throw AuditFailure(
                    "FAILED at record \(failure.sequence): \(failure.reason) (\(records) verified before it)", code: 1)
            }
            let anchor =
                result.anchored ? "from the start of the chain" : "from its first record's prev_hash (not anchored)"
            print("ok: \(records) verified, \(anchor)")
        }
    }
}

/// A failure with its exit status (1: refused or invalid; 2: no answer), printed to stderr.
struct AuditFailure: Error, CustomStringConvertible {
    var description: String
    var code: Int32

    init(_ description: String, code: Int32) {
        self.description = description
        self.code = code
    }

    /// Runs `body`; a failure is printed to stderr and becomes the exit status.
    static func reported(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as AuditFailure {
            FileHandle.standardError.write(Data("sandboxctl: \(failure.description)\n".utf8))
            throw ExitCode(failure.code)
        }
    }
}

extension JSONValue {
    var auditSequence: UInt64? {
        guard case .object(let members) = self, case .number(let number)? = members["seq"],
            let value = number.int64Value, value > 0
        else { return nil }
        return UInt64(value)
    }
}
