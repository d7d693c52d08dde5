import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import SandboxSigning
import SandboxStorage
import ServiceLifecycle
import UnixSignals

/// Runs a node from the command line: configuration, the node, the HTTP API; SIGTERM/SIGINT
/// stop it gracefully (leadership handed over first).
public enum SandboxServer {
    public static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        let logger = Logger(label: "sandboxd")
        if arguments.first == "recover" { return RecoverCommand.run(Array(arguments.dropFirst()), logger: logger) }
        if arguments.first == "storage-downgrade" {
            return StorageDowngradeCommand.run(Array(arguments.dropFirst()), logger: logger)
        }
        var config: ServerConfig
        do {
            config = try ServerConfig(arguments: arguments, environment: environment)
            if let broken = try ChaosFaultInjection.configured(environment) {
                logger.error("this node is broken on purpose for chaos testing: \(broken.rawValue); never use it")
            }
            if let file = try PromotionHold.configured(environment) {
                logger.warning(
                    "test hook: voters are not promoted while \(file) exists (\(PromotionHold.variable)); never use it")
            }
        } catch {
            logger.error("\(error)")
            return 2
        }
        do { try await SandboxNode.resolveRejoin(&config, logger: logger) } catch {
            logger.error("\(error)")
            return 2
        }
        let keys: KeyRing
        do { keys = try keyRing(config, dev: config.dev, logger: logger) } catch {
            logger.error("\(error)")
            return 2
        }
        if let pid = config.exitWithParent { ParentWatch.start(pid: pid, logger: logger) }
        if config.dev { announceDevMode(config, logger: logger) }
        defer {
            if config.removeDataOnExit { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        }
        do {
            let node = try await SandboxNode(config: config, logger: logger)
            logger.info(
                "node started",
                metadata: [
                    "node": "\(config.nodeID)", "http": "\(config.httpAddress)", "peers": "\(config.peerAddress)",
                    "cluster": "\(config.clusterID)",
                ])
            let router = APIRouter.make(node: node, keys: keys)
            let app = Application(
                router: router, server: try server(config, node: node, environment: environment),
                configuration: .init(address: .hostname(config.httpAddress.host, port: config.httpAddress.port)),
                services: [NodeService(node: node, logger: logger)], logger: logger)
            try await run(app, node: node, logger: logger)
            return 0
        } catch {
            logger.error("node failed", metadata: ["error": "\(error)"])
            if case StorageError.diskFull = error { return StorageStop.exitStatus }
            return 1
        }
    }
}

extension SandboxServer {
    /// HTTP/1 with the API's limits, inside TLS (1.2 and up) when a certificate is configured;
    /// with a node, `POST /v1/decisions` on its fast paths (``RawDecisionPath`` from the bytes,
    /// ``DecisionFastPath`` after the decoder) unless `SANDBOX_DECISION_FAST_PATH=off` leaves
    /// every request to the router (`decoded`: only the second).
    static func server(_ config: ServerConfig, node: SandboxNode? = nil, environment: [String: String] = [:]) throws
        -> HTTPServerBuilder
    {
        var http1 = HTTPServerBuilder.http1(configuration: APILimits.http1)
        let fastPath = environment["SANDBOX_DECISION_FAST_PATH"]
        if let node, fastPath != "off" {
            http1 = HTTPServerBuilder { responder in
                DecisionFastChannel(
                    http1: HTTP1Channel(responder: responder, configuration: APILimits.http1), node: node,
                    raw: fastPath != "decoded")
            }
        }
        guard let certificate = config.tlsCertificateFile, let key = config.tlsKeyFile else { return http1 }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        return try .tls(http1, tlsConfiguration: tls)
    }

    static func announceDevMode(_ config: ServerConfig, logger: Logger) {
        logger.warning(
            """
            DEVELOPMENT MODE (--dev): admin and approver calls WITHOUT A TOKEN are accepted from loopback; \
            never expose this node
            """,
            metadata: [
                "http": "\(config.httpAddress)", "data_dir": "\(config.dataDirectory)",
                "data": "\(config.removeDataOnExit ? "deleted at exit" : "kept")",
            ])
    }

    /// Runs the HTTP server and the node until SIGTERM or SIGINT. On a signal a leader first
    /// hands leadership over (while HTTP still accepts, so clients see no refusal), then the
    /// server stops accepting and drains, then the node stops (`NodeService`). The group is
    /// left to finish that shutdown: cancelling it instead closes connections mid-request and
    /// can crash the server (NIO's "Deinited NIOAsyncWriter without calling finish()" on a
    /// connection accepted meanwhile). A StatefulSet pod's join loop runs beside them; on the
    /// signal it is cancelled and awaited (its request in flight cancelled) before the pod
    /// removes itself, so that it cannot add the pod back after it left (review M3).
    static func run(_ app: some Service, node: SandboxNode, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let joiner = Task { await node.joinStatefulSet(logger: logger) }
        defer { joiner.cancel() }
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                    logger.info("shutting down", metadata: ["signal": "\(signal)"])
                    joiner.cancel()
                    await joiner.value
                    await node.leaveStatefulSet(logger: logger)
                    await node.handOverLeadership(logger: logger)
                    await group.triggerGracefulShutdown()
                    break
                }
                return false
            }
            // Until the group ends (by itself, or after the signal's graceful shutdown).
            while let groupEnded = try await tasks.next(), !groupEnded {}
            tasks.cancelAll()
        }
    }
}

/// Keeps the node running under the service group; on graceful shutdown hands leadership over
/// and stops it.
struct NodeService: Service {
    let node: SandboxNode
    let logger: Logger

    func run() async throws {
        let announcer = Task { await node.announceAddresses(logger: logger) }
        let identities = Task { await BootstrapIdentities.ensure(on: node, logger: logger) }
        let upgrader = Task { await RulesUpgrade.run(node, logger: logger) }
        let sampler = Task {
            var wakePipeLogged = false
            while !Task.isCancelled {
                let status = node.status
                let transport = node.transport.stats
                node.metrics.sample(status, transport)
                if let lost = transport.lostWakePipe, !wakePipeLogged {
                    wakePipeLogged = true
                    logger.error(
                        "the Raft loop's wake-up pipe was lost; wake-ups go as event loop tasks now",
                        metadata: ["reason": "\(lost)"])
                }
                let changed = node.leaderChanges.withLock {
                    $0.observe(term: status.term, leader: status.leader, atMillis: ApprovalRoutes.nowMillis())
                }
                if changed {  // the node's log then tells its leadership history (chaos runs read it)
                    logger.info(
                        "leader seen",
                        metadata: ["term": "\(status.term)", "leader": "\(status.leader)", "role": "\(status.role)"])
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer {
            announcer.cancel()
            identities.cancel()
            upgrader.cancel()
            sampler.cancel()
        }
        let storageStop = StorageStop(node: node, logger: logger)
        storageStop.start()
        try? await gracefulShutdown()
        storageStop.finishWatching()  // exits instead when the disk is full: closing would write
        await node.shutdown(logger: logger)
    }
}
