import Foundation
import Raft

@testable import SandboxStorage

func openStorage(_ path: String, logStateWrites: Bool = false) throws -> NodeStorage {
    var options = StorageOptions.small
    options.logStateWrites = logStateWrites
    return try NodeStorage(path: path, options: options)
}

/// Whether `error` is `StorageError.inconsistentLog` saying `text` (for `#expect(...) throws:`).
func isInconsistentLog(_ error: any Error, saying text: String) -> Bool {
    guard case .inconsistentLog(let detail) = error as? StorageError else { return false }
    return detail.contains(text)
}

/// Deterministic entry payloads, so a reader can recompute what should be stored.
func payload(index: UInt64, term: UInt64, size: Int? = nil) -> [UInt8] {
    let length = size ?? Int((index &* 7 &+ term) % 200) + 16
    return (0..<length).map { UInt8(truncatingIfNeeded: index &* 31 &+ term &* 17 &+ UInt64($0)) }
}

func makeEntries(_ range: ClosedRange<UInt64>, term: UInt64, size: Int? = nil) -> [Entry] {
    range.map { Entry(term: term, index: $0, data: payload(index: $0, term: term, size: size)) }
}

extension Array where Element == UInt8 {
    init(_ string: String) { self = Array(string.utf8) }
}
