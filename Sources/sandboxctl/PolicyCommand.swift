import ArgumentParser
import Foundation
import JSON
import JSONSchema
import SandboxPolicy

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, evaluate and diff policies; verify signed policy bundles.",
        subcommands: [Check.self, Eval.self, Diff.self, Verify.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy file: print warnings; exit 1 with file:line:col: message on errors.")

        @Argument(help: "The policy file (YAML).")
        var file: String

        func run() throws {
            let loaded = PolicyFiles.load(file)
            switch loaded {
            case .failure(let failure):
                for line in failure.lines { print(line) }
                throw ExitCode(1)
            case .success(let policy):
                for warning in policy.warnings { print("\(file):\(warning.location): warning: \(warning.message)") }
                let tools = policy.document.tools
                print(
                    "\(file): ok (allow patterns: \(tools.allow.count), deny patterns: \(tools.deny.count), "
                        + "rules: \(tools.approvals.count + policy.document.rules.count), "
                        + "schemas: \(tools.schemas.count), allowed domains: \(policy.document.network.allowDomains.count)"
                        + (policy.document.network.allowMetadata ? ", CLOUD METADATA REACHABLE" : "") + ")"
                )
            }
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide one request; print the decision as JSON (exit 0 whatever the decision, 2 on bad input).")

        @Option(help: "The policy file (YAML).")
        var policy: String

        @Option(help: "The request: inline JSON, @path to a JSON file, or @- to read standard input.")
        var request: String

        @Flag(help: "Pretty-print the JSON.")
        var pretty = false

        @Flag(help: "Print one line (decision, rule, reason) instead of JSON.")
        var summary = false

        func run() throws {
            let compiled: CompiledPolicy
            switch PolicyFiles.load(policy) {
            case .failure(let failure):
                PolicyFiles.fail("bad policy \(policy):\n" + failure.lines.joined(separator: "\n"))
            case .success(let loaded):
                compiled = loaded
            }
            var text = request
            if request == "@-" {
                let data = FileHandle.standardInput.readData(ofLength: 1 << 20)
                text = String(decoding: data, as: UTF8.self)
            } else if request.hasPrefix("@") {
                let path = String(request.dropFirst())
                guard let contents = PolicyFiles.read(path, limit: 1 << 20) else {
                    PolicyFiles.fail("cannot read the request file \(path)")
                }
                text = contents
            }
            let json: JSONValue
            do {
                json = try JSONValue(parsing: text, maxDepth: 64, maxBytes: 1 << 20)
            } catch {
                PolicyFiles.fail("bad request: not JSON (\(error))")
            }
            let parsed: PolicyRequest
            do {
                parsed = try PolicyRequest(json: json)
            } catch {
                PolicyFiles.fail("bad request: \(error)")
            }
            let traced = compiled.trace(parsed)
            let decision = traced.decision
            if summary {
                var line = "\(decision.outcome.rawValue)  [\(decision.rule)]  \(decision.explanation)"
                if let approval = decision.approval {
                    line +=
                        " (approvers: \(approval.requiredApprovals) of `\(approval.group)`, within \(approval.ttlSeconds) s)"
                }
                print(line)
            } else {
                print(traced.jsonValue.serialized(sortedKeys: true, pretty: pretty))
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the semantic difference between two policies (each change marked widens / narrows).")

        @Argument(help: "The old policy file.")
        var old: String

        @Argument(help: "The new policy file.")
        var new: String

        func run() throws {
            var documents: [PolicyDocument] = []
            for file in [old, new] {
                switch PolicyFiles.load(file) {
                case .failure(let failure):
                    PolicyFiles.fail("bad policy \(file):\n" + failure.lines.joined(separator: "\n"))
                case .success(let policy):
                    documents.append(policy.document)
                }
            }
            print(PolicyDiff(from: documents[0], to: documents[1]).report)
        }
    }
}
