import Foundation
import JSON

/// The leader killed in the middle of the run: the agent goes on, noticing a short pause.
extension Story {
    func killTheLeader() async throws {
        narrator.section("6. The cluster's leader is killed with SIGKILL while the agent works")
        guard let killLeader else {
            narrator.outcome("leader-killed", "skipped", "(no --kill-leader command given)")
            return
        }
        let output = try Self.shell(killLeader)
        narrator.outcome("leader-killed", "killed", output)
        var slowest: Duration = .zero
        var allowed = 0
        for number in 1...5 {
            let account = "ACME-05\(number)"
            narrator.agent("crm.read {\"account_id\":\"\(account)\"}")
            let start = ContinuousClock.now
            let decision = await sales.toolCall("crm.read", params: ["account_id": .string(account)])
            let took = ContinuousClock.now - start
            slowest = max(slowest, took)
            if decision.isAllowed { allowed += 1 }
            narrator.sandbox("\(decision.outcome) in \(Self.seconds(took)) s: \(decision.reason)")
        }
        narrator.outcome(
            "after-failover", allowed == 5 ? "allow" : "deny", "\(allowed) of 5 calls after the kill allowed")
        narrator.outcome("failover-pause", Self.seconds(slowest), "seconds: the longest wait of those 5 calls")
    }

    /// Runs `command` with /bin/sh; its output, or a failure when it exits with another status than 0.
    static func shell(_ command: String) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw DemoFailure("`\(command)` exited with status \(process.terminationStatus): \(text)")
        }
        return text
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
