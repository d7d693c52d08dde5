import Foundation
import JSON
import JSONSchema

@testable import SandboxPolicy

/// Paths and small builders shared by the policy tests.
enum Fixtures {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func salesAgent() throws -> CompiledPolicy {
        try CompiledPolicy(yaml: text("policies/examples/sales_agent.yaml"))
    }

    static func policy(_ yaml: String) throws -> CompiledPolicy {
        try CompiledPolicy(yaml: yaml)
    }

    static func call(_ tool: String, _ parameters: [String: JSONValue] = [:], depth: Int = 0, cost: Double? = nil)
        -> ToolCall
    {
        ToolCall(
            tool: tool, parameters: .object(parameters), chainDepth: depth, costUSD: cost.flatMap { JSONNumber($0) })
    }

    static func get(_ url: String) -> HTTPRequest { HTTPRequest(method: "GET", url: url) }

    /// The errors of a policy that must not load.
    static func errors(_ yaml: String) -> [PolicyDiagnostic] {
        do {
            _ = try CompiledPolicy(yaml: yaml)
            return []
        } catch {
            return error.errors
        }
    }
}
