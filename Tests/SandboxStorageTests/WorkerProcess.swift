import Foundation
import Testing

@testable import SandboxStorage

/// A running `storage-crash-worker` whose stdout lines are collected by a reader thread.
final class WorkerProcess: @unchecked Sendable {
    // Why @unchecked Sendable is safe: `process` is started in init and then only read;
    // `collected` and `finished` are Locked; the reader thread touches only those.
    private let process = Process()
    private let collected = Locked<(text: String, finished: Bool)>(("", false))
    private let errorFile: String

    /// Where `swift build` put the worker: next to the test binary, unless STORAGE_CRASH_WORKER says.
    static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["STORAGE_CRASH_WORKER"] {
            return URL(fileURLWithPath: path)
        }
        var directories: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent("storage-crash-worker")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw WorkerMissing(searched: directories.map(\.path))
    }

    struct WorkerMissing: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "storage-crash-worker not found next to the test binary (searched \(searched.joined(separator: ", "))):"
                + " build it with `swift build --build-tests` (or `swift build --product storage-crash-worker`),"
                + " or set STORAGE_CRASH_WORKER to its path"
        }
    }

    init(_ arguments: [String], errorFile: String) throws {
        self.errorFile = errorFile
        process.executableURL = try Self.executable()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        try process.run()
        let reading = pipe.fileHandleForReading
        let collected = self.collected
        let thread = Thread {
            while true {
                let data = reading.availableData
                if data.isEmpty { break }
                collected.withLock { $0.text += String(decoding: data, as: UTF8.self) }
            }
            collected.withLock { $0.finished = true }
        }
        thread.start()
    }

    var pid: Int32 { process.processIdentifier }

    /// Complete lines received so far.
    var lines: [String] {
        collected.withLock { state in
            var lines = state.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.removeLast()  // the part after the last newline: empty or a torn line
            return lines
        }
    }

    func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to exit and its output to be read completely (bounded).
    func waitForExit(timeout: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning || !collected.withLock({ $0.finished }) {
            if Date() > deadline {
                kill()
                return false
            }
            usleep(2000)
        }
        return true
    }

    /// Waits until a line satisfying `condition` arrives or the process ends (bounded).
    func waitForLine(timeout: Double, where condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if lines.contains(where: condition) { return true }
            if !process.isRunning && collected.withLock({ $0.finished }) { return lines.contains(where: condition) }
            usleep(1000)
        }
        return false
    }

    var exitedNormally: Bool {
        !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0
    }
    var wasKilled: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }
    var errorOutput: String { (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "" }
}
