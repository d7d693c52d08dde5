import Hummingbird
import JSON
import Logging
import ServiceLifecycle

/// While a founding pod on an empty data directory asks the others whether the cluster exists
/// (``FoundingProbe``), it answers their same question on its HTTP address: `GET /v1/cluster`
/// is `{"probing": true, "role": "probing", ...}` with no leader, term, log or members. Pods of a
/// first install, started together, so learn that every founding pod is empty, and bootstrap; a
/// pod that does not answer at all is not taken for an empty one. `/healthz` answers (the process
/// lives), `/readyz` is 503 (not serving).
struct ProbeResponder {
    private let group: ServiceGroup
    private let running: Task<Void, Error>

    /// Starts answering on the node's HTTP address (TLS when configured).
    static func start(_ config: ServerConfig, logger: Logger) throws -> ProbeResponder {
        let router = Router()
        router.get("/v1/cluster") { _, _ in
            JSONResponses.json(
                .object([
                    "probing": .bool(true), "node": JSONResponses.number(config.nodeID), "role": .string("probing"),
                    "leader": JSONResponses.number(0), "term": JSONResponses.number(0),
                    "commit_index": JSONResponses.number(0), "applied_index": JSONResponses.number(0),
                    "last_index": JSONResponses.number(0), "voters": .array([]), "learners": .array([]),
                ]))
        }
        router.get("/healthz") { _, _ in JSONResponses.json(.object(["status": .string("ok")])) }
        router.get("/readyz") { _, _ in
            JSONResponses.json(
                .object(["ready": .bool(false), "leader": JSONResponses.number(0)]), status: .serviceUnavailable)
        }
        var quiet = logger
        quiet.logLevel = .warning
        let app = Application(
            router: router, server: try SandboxServer.server(config),
            configuration: .init(address: .hostname(config.httpAddress.host, port: config.httpAddress.port)),
            logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        return ProbeResponder(group: group, running: Task { try await group.run() })
    }

    /// Stops answering and frees the address for the node.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}
