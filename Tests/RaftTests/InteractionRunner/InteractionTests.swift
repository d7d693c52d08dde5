import Foundation
import Testing

/// Runs the data-driven scripts in `Interaction/*.txt`: each block is a command, a `----` line
/// and the expected output, ended by a blank line. `RAFT_INTERACTION_REWRITE=1 swift test
/// --filter InteractionTests` rewrites the expected output from the actual one.
@Suite struct InteractionTests {
    struct Block {
        var comments: [String]
        var command: String
        var expected: [String]
        var line: Int
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interaction")
    }

    static var scripts: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }

    static func parse(_ text: String) -> [Block] {
        var blocks: [Block] = []
        var comments: [String] = []
        var command: String?
        var commandLine = 0
        var expected: [String] = []
        var inOutput = false
        let lines = text.components(separatedBy: "\n")
        for (number, line) in lines.enumerated() {
            if inOutput {
                if line.isEmpty {
                    blocks.append(
                        Block(comments: comments, command: command ?? "", expected: expected, line: commandLine))
                    comments = []
                    command = nil
                    expected = []
                    inOutput = false
                } else {
                    expected.append(line)
                }
            } else if line.hasPrefix("#") {
                comments.append(line)
            } else if line == "----" {
                inOutput = true
            } else if !line.isEmpty {
                command = line
                commandLine = number + 1
            }
        }
        if inOutput {
            blocks.append(Block(comments: comments, command: command ?? "", expected: expected, line: commandLine))
        }
        return blocks
    }

    static func render(_ blocks: [Block]) -> String {
        var text = ""
        for block in blocks {
            for comment in block.comments { text += comment + "\n" }
            text += block.command + "\n----\n"
            for line in block.expected { text += line + "\n" }
            text += "\n"
        }
        return text
    }

    @Test func thereAreScriptsForEveryTrickyScenario() {
        let scripts = Set(Self.scripts)
        for name in [
            "prevote_checkquorum.txt", "leader_isolation.txt", "snapshot_catch_up.txt", "learner_promotion.txt",
            "leadership_transfer.txt", "read_index_follower.txt", "single_voter_read.txt", "figure8.txt",
            "snapshot_during_membership_change.txt", "partitioned_leader_returns.txt",
            "read_index_during_transfer.txt", "learner_promoted_while_follower_down.txt",
        ] {
            #expect(scripts.contains(name), "missing Interaction/\(name)")
        }
    }

    @Test(arguments: InteractionTests.scripts)
    func script(_ name: String) throws {
        let environment = InteractionEnvironment()
        let rewrite = ProcessInfo.processInfo.environment["RAFT_INTERACTION_REWRITE"] == "1"
        try run(name, in: environment, rewrite: rewrite)
    }

    /// Runs the script `name` (relative to `Interaction/`) block by block, comparing each
    /// command's output with the expected one (or rewriting it). `include FILE` runs the shared
    /// setup `Interaction/include/FILE.txt` the same way — its own expected output checked there —
    /// and shows the status of every node afterwards.
    func run(_ name: String, in environment: InteractionEnvironment, rewrite: Bool, depth: Int = 0) throws {
        let url = Self.directory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var blocks = Self.parse(text)
        #expect(!blocks.isEmpty, "\(name) has no commands")
        for position in blocks.indices {
            let block = blocks[position]
            var actual: [String]
            do {
                if block.command.hasPrefix("include ") {
                    guard depth < 4 else {
                        throw InteractionEnvironment.CommandError(description: "includes nest too deep")
                    }
                    let file = "include/\(block.command.dropFirst("include ".count)).txt"
                    try run(file, in: environment, rewrite: rewrite, depth: depth + 1)
                    actual = try environment.run("status")
                } else {
                    actual = try environment.run(block.command)
                }
            } catch {
                actual = ["error: \(error)"]
            }
            let shown = actual.isEmpty ? ["ok"] : actual
            if rewrite {
                blocks[position].expected = shown
            } else {
                #expect(
                    shown == block.expected,
                    "\(name):\(block.line) `\(block.command)`\n--- expected\n\(block.expected.joined(separator: "\n"))\n--- actual\n\(shown.joined(separator: "\n"))"
                )
            }
        }
        if rewrite { try Self.render(blocks).write(to: url, atomically: true, encoding: .utf8) }
    }
}
