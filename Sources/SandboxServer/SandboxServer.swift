import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs a node from the command line: configuration, the node, the HTTP API; SIGTERM/SIGINT
/// stop it gracefully (leadership handed over first).
public enum SandboxServer {
    public static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        let logger = Logger(label: "sandboxd")
        let config: ServerConfig
        do {
            config = try ServerConfig(arguments: arguments, environment: environment)
        } catch {
            logger.error("\(error)")
            return 2
        }
        do {
            let node = try await SandboxNode(config: config, logger: logger)
            logger.info(
                "node started",
                metadata: [
                    "node": "\(config.nodeID)", "http": "\(config.httpAddress)", "peers": "\(config.peerAddress)",
                    "cluster": "\(config.clusterID)",
                ])
            let router = Router()
            ClusterRoutes.add(to: router, node: node)
            DecisionRoutes.add(to: router, node: node)
            AdminRoutes.add(to: router, node: node)
            MetricsRoute.add(to: router, node: node)
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(config.httpAddress.host, port: config.httpAddress.port)),
                services: [NodeService(node: node, logger: logger)], logger: logger)
            try await app.runService()
            return 0
        } catch {
            logger.error("node failed", metadata: ["error": "\(error)"])
            return 1
        }
    }
}

/// Keeps the node running under the service group; on graceful shutdown hands leadership over
/// and stops it.
struct NodeService: Service {
    let node: SandboxNode
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("shutting down")
        await node.shutdown(logger: logger)
    }
}
