import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `sandboxctl cluster status|add|remove|transfer`: membership through any node's admin API
/// (the node forwards to the leader). Prints the node's JSON answer; exit 1 when it refuses.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster membership: status, add, remove, transfer (any node; admin token).",
        subcommands: [Status.self, Add.self, Remove.self, Transfer.self]
    )

    struct Connection: ParsableArguments {
        @Option(help: "A node's HTTP address (default: $SANDBOX_URL or http://127.0.0.1:8080).")
        var url: String?

        @Option(help: "The admin token (default: $SANDBOX_ADMIN_TOKEN).")
        var token: String?

        func call(_ method: String, _ path: String, _ body: String? = nil) throws {
            let environment = ProcessInfo.processInfo.environment
            let base = url ?? environment["SANDBOX_URL"] ?? "http://127.0.0.1:8080"
            guard let token = token ?? environment["SANDBOX_ADMIN_TOKEN"] else {
                throw ValidationError("give the admin token: --token or SANDBOX_ADMIN_TOKEN")
            }
            guard let target = URL(string: base + path) else { throw ValidationError("bad --url \(base)") }
            var request = URLRequest(url: target, timeoutInterval: 120)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let body { request.httpBody = Data(body.utf8) }
            let answer = ClusterHTTP.send(request)
            guard let (status, data) = answer else {
                FileHandle.standardError.write(Data("sandboxctl: no answer from \(base)\n".utf8))
                throw ExitCode(2)
            }
            print(String(decoding: data, as: UTF8.self), terminator: data.last == 10 ? "" : "\n")
            if !(200..<300).contains(status) { throw ExitCode(1) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Members, roles, addresses, the leader, term, commit/applied index and each member's lag.")
        @OptionGroup var connection: Connection
        func run() throws { try connection.call("GET", "/v1/cluster/members") }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a node started with --join: records its addresses, adds it as a learner and, for a "
                + "voter, promotes it once it has caught up.")
        @OptionGroup var connection: Connection
        @Argument(help: "The new node's id.") var id: UInt64
        @Option(help: "Its peer address (host:port).") var peer: String
        @Option(help: "Its HTTP address (host:port).") var http: String
        @Flag(help: "Add it as a learner only (no vote).") var learner = false
        @Option(help: "Seconds to wait for it to catch up before promoting it.") var catchUpTimeout: UInt64 = 60

        func run() throws {
            let body =
                #"{"id": \#(id), "peer": "\#(peer)", "http": "\#(http)", "role": "\#(learner ? "learner" : "voter")", "#
                + #""catch_up_timeout_s": \#(catchUpTimeout)}"#
            try connection.call("POST", "/v1/cluster/members", body)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a node (a leader hands leadership over first) and forget its addresses.")
        @OptionGroup var connection: Connection
        @Argument(help: "The node's id.") var id: UInt64
        func run() throws { try connection.call("DELETE", "/v1/cluster/members/\(id)") }
    }

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand leadership to a voter.")
        @OptionGroup var connection: Connection
        @Argument(help: "The voter to lead.") var id: UInt64
        func run() throws { try connection.call("POST", "/v1/cluster/leader", #"{"to": \#(id)}"#) }
    }
}

/// A blocking HTTP call for the synchronous commands.
enum ClusterHTTP {
    static func send(_ request: URLRequest) -> (Int, Data)? {
        let done = DispatchSemaphore(value: 0)
        let result = Box()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let http = response as? HTTPURLResponse { result.value = (http.statusCode, data ?? Data()) }
            done.signal()
        }.resume()
        done.wait()
        return result.value
    }

    /// `@unchecked Sendable`: written once by the completion handler before `signal`, read after `wait`.
    final class Box: @unchecked Sendable {
        var value: (Int, Data)?
    }
}
