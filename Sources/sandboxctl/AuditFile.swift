import Foundation
import JSON
import SandboxState

/// Reading and writing export files for `sandboxctl audit`.
enum AuditFile {
    /// Verifies a file: a JSON array (parsed whole) or NDJSON (line by line).
    static func verify(path: String) throws -> (verification: AuditVerification, anchored: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditFailure("cannot read \(path)", code: 2)
        }
        var verifier = AuditVerifier()
        let firstByte = data.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
        if firstByte == UInt8(ascii: "[") {
            let value: JSONValue
            do { value = try JSONValue(parsing: Array(data)) } catch {
                throw AuditFailure("\(path) is not JSON: \(error)", code: 1)
            }
            guard case .array(let records) = value else { throw AuditFailure("\(path) is not an array", code: 1) }
            for record in records {
                if let failure = verifier.check(exported: record) { return (failure, verifier.isAnchored) }
            }
        } else {
            for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
                guard let record = try? JSONValue(parsing: Array(line)) else {
                    throw AuditFailure("\(path):\(number + 1): not a JSON record", code: 1)
                }
                if let failure = verifier.check(exported: record) { return (failure, verifier.isAnchored) }
            }
        }
        return (AuditVerification(checked: verifier.checked, failure: nil), verifier.isAnchored)
    }
}

/// Where `audit export` writes: a file or stdout, NDJSON or a JSON array.
final class AuditSink {
    private let handle: FileHandle
    private let json: Bool
    private var count = 0

    init(path: String?, json: Bool) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let handle = FileHandle(forWritingAtPath: path)
            else { throw AuditFailure("cannot write \(path)", code: 2) }
            self.handle = handle
        } else {
            handle = FileHandle.standardOutput
        }
        self.json = json
        if json { handle.write(Data("[".utf8)) }
    }

    func write(_ record: Data.SubSequence) throws {
        if json, count > 0 { handle.write(Data(",\n".utf8)) }
        handle.write(Data(record))
        if !json { handle.write(Data("\n".utf8)) }
        count += 1
    }

    func close() throws {
        if json { handle.write(Data("]\n".utf8)) }
        try handle.synchronize()
    }
}
