import Hummingbird
import NIOCore

/// The request context of every API route: Hummingbird's core context plus the client's
/// address (what the failed-authentication limiter and `--dev`'s loopback check read).
struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connected peer; nil when the transport has none (in-process tests).
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies decoded through Hummingbird's helpers stop here (`APILimits.maxBodyBytes`).
    var maxUploadSize: Int { APILimits.maxBodyBytes }
}

/// The API's bounds in one place.
enum APILimits {
    /// The largest request body any route reads (a policy YAML with inlined schemas fits).
    static let maxBodyBytes = 1 << 20
    /// The deepest nesting a JSON body may have (tool parameters included).
    static let maxJSONDepth = 64
}
