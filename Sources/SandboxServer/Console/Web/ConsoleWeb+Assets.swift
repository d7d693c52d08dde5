import HTTPTypes
import Hummingbird
import NIOCore

/// The console's style sheet and its one script, served by the node itself (the pages' CSP
/// allows only `'self'`: nothing inline, nothing from the internet).
extension ConsoleWeb {
    static func addAssets(to router: Router<APIRequestContext>) {
        router.get("/console/assets/console.css") { _, _ in asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("/console/assets/console.js") { _, _ in
            asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8")
        }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "max-age=300",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
