import Hummingbird
import HummingbirdCore
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
    /// The longest a client may take to send a body (a slow upload gets 408).
    static let bodyDeadline = Duration.seconds(30)
    /// A connection with no request in flight (headers not yet complete included) is closed
    /// after this long. Hummingbird's connection-state handler also closes, silently, a
    /// connection whose request body stalls this long, so it is longer than `bodyDeadline`:
    /// a stalled body gets its 408 first. (Both at 30 s raced: the close won about once in
    /// a few hundred runs on the fast path, and always on the router's, whose deadline is
    /// swept once a second.)
    static let idleTimeout = TimeAmount.seconds(35)
    /// Header limits: one field, all fields, and how many.
    static let maxHeaderFieldBytes = 16 << 10
    static let maxHeaderBytes = 64 << 10
    static let maxHeaderFields = 100
    /// Failed authentications per client address: a burst, then one a second.
    static let failedAuthBurst = 20

    /// The HTTP/1 server with these limits.
    static var http1: HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            idleTimeout: idleTimeout,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: maxHeaderFieldBytes, maxHeaderListSize: maxHeaderBytes,
                maxHeaderFieldCount: maxHeaderFields))
    }
}
