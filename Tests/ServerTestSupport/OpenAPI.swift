import Foundation
import JSON
import JSONSchema
import Testing

@testable import SandboxPolicy

/// `docs/openapi.yaml`, read once: the operations it documents and, compiled with our
/// `JSONSchema` module (OpenAPI 3.1 schemas are draft 2020-12), the schema of each JSON
/// response. `OpenAPI.check(...)` is the one call a test makes; ``LocalCluster/call`` makes it
/// for every answer of a documented route.
public struct OpenAPI: Sendable {
    /// Operations as `METHOD /path/{param}`.
    public let operations: Set<String>
    /// Compiled response schemas by `METHOD /path/{param} STATUS`.
    private let responses: [String: CompiledSchema]

    public static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path

    /// The document, or why it cannot be used.
    public static let shared: Result<OpenAPI, OpenAPIError> = Result { () throws(OpenAPIError) in
        try OpenAPI(path: path)
    }

    public init(path: String) throws(OpenAPIError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw OpenAPIError("cannot read \(path)")
        }
        let document: JSONValue
        do { document = try YAMLDocument.parse(text).jsonValue } catch { throw OpenAPIError("\(path): \(error)") }
        let defs = Self.rewritingReferences(document.member("components")?.member("schemas") ?? .object([:]))
        guard case .object(let paths)? = document.member("paths") else { throw OpenAPIError("no paths") }
        var operations = Set<String>()
        var responses: [String: CompiledSchema] = [:]
        for (template, item) in paths {
            guard case .object(let methods) = item else { continue }
            for (method, operation) in methods where Self.methods.contains(method) {
                let name = "\(method.uppercased()) \(template)"
                operations.insert(name)
                guard case .object(let answers)? = operation.member("responses") else { continue }
                for (status, answer) in answers {
                    let resolved = Self.resolve(answer, in: document)
                    guard let schema = resolved.member("content")?.member("application/json")?.member("schema")
                    else { continue }
                    let wrapped = JSONValue.object(["$defs": defs, "allOf": .array([Self.rewritingReferences(schema)])])
                    do {
                        responses["\(name) \(status)"] = try CompiledSchema(wrapped)
                    } catch { throw OpenAPIError("\(name) \(status): \(error)") }
                }
            }
        }
        self.operations = operations
        self.responses = responses
    }

    public static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    /// The documented template a concrete path matches (`/v1/agents/a1` → `/v1/agents/{agent_id}`).
    public func template(_ method: String, _ path: String) -> String? {
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        return operations.first { operation in
            let parts = operation.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0] == method.uppercased() else { return false }
            let template = parts[1].split(separator: "/")
            return template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }.map { String($0.split(separator: " ", maxSplits: 1)[1]) }
    }

    /// What is wrong with this answer by the document; empty when it conforms. Undocumented
    /// routes are not checked here (``OpenAPITests`` checks that every route is documented).
    public func problems(_ method: String, _ path: String, status: Int, body: Data) -> [String] {
        guard let template = template(method, path) else { return [] }
        let name = "\(method.uppercased()) \(template)"
        guard let schema = responses["\(name) \(status)"] else {
            return ["\(name) answered \(status), which docs/openapi.yaml does not list (or not as JSON)"]
        }
        let value: JSONValue
        do { value = try JSONValue(parsing: Array(body)) } catch { return ["\(name) \(status): not JSON: \(error)"] }
        return schema.validate(value).errors.map { "\(name) \(status): \($0)" }
    }

    /// Records an issue for each way the answer contradicts `docs/openapi.yaml`.
    public static func check(
        _ method: String, _ path: String, status: Int, body: Data,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        switch shared {
        case .failure(let error): Issue.record("docs/openapi.yaml: \(error)", sourceLocation: sourceLocation)
        case .success(let document):
            for problem in document.problems(method, path, status: status, body: body) {
                Issue.record("\(problem)", sourceLocation: sourceLocation)
            }
        }
    }

    private static func resolve(_ value: JSONValue, in document: JSONValue) -> JSONValue {
        guard let reference = value.member("$ref")?.stringValue, reference.hasPrefix("#/") else { return value }
        var target: JSONValue? = document
        for part in reference.dropFirst(2).split(separator: "/") { target = target?.member(String(part)) }
        return target ?? value
    }

    /// `#/components/schemas/X` → `#/$defs/X` (the schemas are embedded as `$defs`).
    private static func rewritingReferences(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var rewritten: [String: JSONValue] = [:]
            for (key, member) in members {
                if key == "$ref", case .string(let text) = member {
                    rewritten[key] = .string(text.replacingOccurrences(of: "#/components/schemas/", with: "#/$defs/"))
                } else {
                    rewritten[key] = rewritingReferences(member)
                }
            }
            return .object(rewritten)
        case .array(let items): return .array(items.map(rewritingReferences))
        default: return value
        }
    }
}

public struct OpenAPIError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue {
    fileprivate var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    fileprivate func member(_ name: String) -> JSONValue? {
        if case .object(let members) = self { return members[name] }
        return nil
    }
}
