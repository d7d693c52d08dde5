import Hummingbird

/// `GET /metrics`: the node's Prometheus registry in the text format (docs/cluster.md,
/// "Metrics").
enum MetricsRoute {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/metrics") { _, _ -> Response in
            node.metrics.sample(node.status, node.transport.stats)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let broken = ChaosFaultInjection.active.map { Array($0.metricLines.utf8) } ?? []
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: node.metrics.render() + broken)))
        }
    }
}
