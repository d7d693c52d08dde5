import Foundation

/// A fresh directory under the system temporary directory (or under `base`), removed when the
/// value goes away.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ name: String = "test", in base: String? = nil) {
        let base = base ?? FileManager.default.temporaryDirectory.path
        path = "\(base)/sandbox-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the directory (not created).
    public func subpath(_ name: String) -> String { "\(path)/\(name)" }
}
