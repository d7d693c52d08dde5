import Foundation
import JSON
import JSONSchema
import SandboxPolicy

/// The I/O shell around the pure policy module: reads policy files and the schema files they
/// reference (relative to the policy's folder), and turns failures into CLI messages.
enum PolicyFiles {
    struct Failure: Error {
        /// `file:line:col: message` lines.
        var lines: [String]
    }

    /// Largest schema file a policy may reference.
    static let maximumSchemaBytes = 1 << 20

    static func read(_ path: String, limit: Int) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= limit else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func load(_ path: String) -> Result<CompiledPolicy, Failure> {
        guard let text = read(path, limit: 1 << 20) else {
            return .failure(Failure(lines: ["\(path): cannot read the file (missing, unreadable or over 1 MiB)"]))
        }
        let folder = (path as NSString).deletingLastPathComponent
        let resolve = { (reference: String) throws -> JSONValue in
            let full = reference.hasPrefix("/") ? reference : (folder.isEmpty ? reference : "\(folder)/\(reference)")
            guard let schemaText = read(full, limit: maximumSchemaBytes) else {
                throw PolicyFileError("cannot read the schema file \(full)")
            }
            do {
                return try JSONValue(parsing: schemaText)
            } catch {
                throw PolicyFileError("\(full) is not JSON: \(error)")
            }
        }
        do {
            return .success(try CompiledPolicy(yaml: text, resolveSchema: resolve))
        } catch {
            return .failure(
                Failure(
                    lines: error.diagnostics.map { diagnostic in
                        diagnostic.severity == .error
                            ? "\(path):\(diagnostic.location): \(diagnostic.message)"
                            : "\(path):\(diagnostic.location): warning: \(diagnostic.message)"
                    }))
        }
    }

    /// Prints `message` to standard error and exits with status 2 (bad input).
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("sandboxctl: \(message)\n".utf8))
        exit(2)
    }
}

struct PolicyFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
