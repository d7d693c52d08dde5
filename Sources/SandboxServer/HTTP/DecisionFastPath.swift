import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JSON
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SandboxState

/// `POST /v1/decisions` answered on the connection's event loop, ahead of Hummingbird's
/// router: the request's parts are gathered here, the decision proposed with a completion
/// (``SandboxNode/propose(_:completion:)``) and the answer written from the event loop. The router
/// costs a task, an async body stream, a logger, a context and two thread hops per request:
/// about 40% of a node's CPU at 64 clients, where this path's own work is a few per cent.
///
/// Only the happy path is taken here. Whatever the route would refuse — no key, a key this
/// node does not know yet, a rate-limited client, a body that is not JSON or not a decision, a
/// body over the limit, `Expect`, a `Connection` field other than `keep-alive`, a query string,
/// chaos fault injection — is handed to the router untouched (the parts gathered so far
/// replayed), which answers it with the same code as any other route. Answers keep the
/// connection's order: a decision takes this path only when no request handed to the router is
/// still unanswered (and never after one that closes the connection), and while a decision waits
/// for its answer what arrives waits here (parts, events and the HTTP decoder's errors, replayed
/// in order after the answer) and nothing more is read once something waits.
///
/// It sits after Hummingbird's `HTTPConnectionStateHandler` (``DecisionFastChannel``), which
/// therefore sees every request and answer: idle timeouts and graceful shutdown's wait for the
/// answer in flight work as for the router's requests.
final class DecisionFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Reading {
        case idle
        /// A decision's head and the body so far (nil: none yet).
        case gathering(HTTPRequest, ByteBuffer?, started: ContinuousClock.Instant)
        /// A request handed to the router: its remaining parts go there.
        case forwarding
    }

    private enum Held {
        case part(HTTPRequestPart)
        case event(Any)
        case error(any Error)
    }

    /// Parts, events and errors held while a decision waits: at most what two socket reads
    /// decode to (the rest of the one that brought the decision, and the next), since reads stop
    /// once something is held (a read is at most 256 KiB and the smallest request, 18 bytes, is
    /// two parts, so this is a backstop that a well-formed client cannot reach).
    static let maxHeld = 65_536

    private let node: SandboxNode
    private var context: ChannelHandlerContext?
    private var reading = Reading.idle
    /// A decision proposed and its answer not yet written.
    private var answering = false
    /// Requests handed to the router whose answer has not been written completely.
    private var routerOpen = 0
    private var held = CircularBuffer<Held>()
    private var readHeld = false
    /// Armed only when a decision's body does not arrive in the read that brought its head.
    private var bodyDeadline: Scheduled<Void>?
    private var date = HTTPDateText()
    /// A request handed to the router asked to close the connection: everything after it is
    /// the router's (which reads nothing more).
    private var closing = false
    private let logger: Logger
    /// Called after each answer's end is written (``RawDecisionPath/answerWritten()``).
    var answerEnded: (() -> Void)?

    init(node: SandboxNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if answering || !held.isEmpty {
            hold(.part(part), context)
        } else {
            receive(part, context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        armBodyDeadline(context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if answering || !held.isEmpty {
            hold(.error(error), context)
        } else {
            deliver(error, context)
        }
    }

    /// An error (the HTTP decoder's) passed on in its place among the requests.
    private func deliver(_ error: any Error, _ context: ChannelHandlerContext) {
        if case .gathering(let head, let body, _) = reading {
            // The router gets the request so far, then the error: it answers as without the fast path.
            handOver(head, body, context)
            reading = .forwarding
        }
        context.fireErrorCaught(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if answering || !held.isEmpty {
            hold(.event(event), context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// While a decision waits, the socket is read on until something arrives that must wait
    /// too: then reading stops until the answer. A client that sends one request at a time
    /// thus keeps the socket's read interest registered (stopping and resuming reads around
    /// every answer cost two `epoll_ctl` calls per decision), and a pipelining one still has at
    /// most two reads' worth of parts held here.
    func read(context: ChannelHandlerContext) {
        if answering && !held.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        routerOpen = max(0, routerOpen - 1)
        context.write(data, promise: promise)
        answerEnded?()
    }

    // MARK: reading

    private func receive(_ part: HTTPRequestPart, _ context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            if case .idle = reading, takesFastPath(head) {
                reading = .gathering(head, nil, started: .now)
                return
            }
            if case .idle = reading {
                routerOpen += 1
                reading = .forwarding
                if head.headerFields[values: .connection].contains(where: { $0.lowercased().contains("close") }) {
                    closing = true
                }
            }
            context.fireChannelRead(wrapInboundOut(part))
        case .body(var chunk):
            guard case .gathering(let head, var body, let started) = reading else {
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= APILimits.maxBodyBytes else {
                // The router reads it and answers 413.
                handOver(head, body, context)
                reading = .forwarding
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            reading = .idle  // `body` is then the buffer's only reference: it grows in place
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
            reading = .gathering(head, body, started: started)
        case .end:
            if case .gathering(let head, let body, let started) = reading {
                endBodyDeadline()
                reading = .idle
                decide(head, body, started: started, context)
                return
            }
            if case .forwarding = reading { reading = .idle }
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Arms the 408 for a decision whose body did not come with the read that brought its head
    /// (from the socket, or replayed after an answer).
    private func armBodyDeadline(_ context: ChannelHandlerContext) {
        guard case .gathering(_, _, let started) = reading, bodyDeadline == nil else { return }
        let nanoseconds = max(0, NodeMetrics.nanoseconds(started + APILimits.bodyDeadline - .now))
        bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) {
            [weak self] in
            self?.bodyTooSlow()
        }
    }

    /// Whether the fast path may answer this request (else the router does).
    private func takesFastPath(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, head.path == "/v1/decisions", routerOpen == 0, !closing,
            head.headerFields[.expect] == nil, ChaosFaultInjection.active == nil
        else { return false }
        // `keep-alive` is HTTP/1.1's default (clients such as httpx send it anyway); anything
        // else (`close`, an upgrade) is the router's.
        for value in head.headerFields[values: .connection] where value.lowercased() != "keep-alive" { return false }
        if let length = head.headerFields[.contentLength] {
            guard let bytes = Int(length), bytes <= APILimits.maxBodyBytes else { return false }
        }
        return true
    }

    /// Hands a gathered request to the router: its head and the body so far (the caller sends
    /// what follows).
    private func handOver(_ head: HTTPRequest, _ body: ByteBuffer?, _ context: ChannelHandlerContext) {
        endBodyDeadline()
        routerOpen += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
        if let body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    private func hold(_ item: Held, _ context: ChannelHandlerContext) {
        guard held.count < Self.maxHeld else {
            logger.warning(
                "closing an HTTP connection that sent more than \(Self.maxHeld) request parts while a decision was waiting",
                metadata: ["peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "unknown")"])
            context.close(promise: nil)
            return
        }
        held.append(item)
    }

    /// The body did not arrive within `APILimits.bodyDeadline` of the head: 408, and the
    /// connection closes (the rest of the body cannot be told from a next request).
    private func bodyTooSlow() {
        bodyDeadline = nil
        guard let context, case .gathering = reading else { return }
        reading = .idle
        node.metrics.recordDecision(outcome: "error", duration: APILimits.bodyDeadline)
        write(JSONAnswer(.bodyTooSlow), close: true, context)
        context.close(promise: nil)
    }

    private func endBodyDeadline() {
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }

    // MARK: deciding

    private func decide(
        _ head: HTTPRequest, _ body: ByteBuffer?, started: ContinuousClock.Instant, _ context: ChannelHandlerContext
    ) {
        guard
            let command = DecisionRoutes.fastCommand(
                body: body.map { Array($0.readableBytesView) } ?? [],
                agentKey: head.headerFields[SandboxNode.agentKeyField],
                idempotencyKey: head.headerFields[values: Self.idempotencyKey].first,
                address: context.channel.remoteAddress, node: node)
        else {
            // The router answers it, with the reason.
            handOver(head, body, context)
            context.fireChannelRead(wrapInboundOut(.end(nil)))
            return
        }
        answering = true
        node.metrics.fastPathDecisions.increment()
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        node.propose(command) { end in
            loop.execute { handler.value.answered(end, started: started) }
        }
    }

    private func answered(_ end: SandboxNode.ProposalEnd, started: ContinuousClock.Instant) {
        answering = false
        let (answer, outcome) = DecisionRoutes.answer(end.outcome())
        node.metrics.recordDecision(outcome: outcome, duration: .now - started)
        guard let context else { return }
        write(answer, close: false, context)
        var replayed = false
        while !answering, let next = held.popFirst() {
            switch next {
            case .part(let part): receive(part, context)
            case .event(let event): context.fireUserInboundEventTriggered(event)
            case .error(let error): deliver(error, context)
            }
            replayed = true
        }
        // What was passed on waits in the router's buffer until a read completes.
        if replayed { context.fireChannelReadComplete() }
        armBodyDeadline(context)
        if !answering, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func write(_ answer: JSONAnswer, close: Bool, _ context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: answer.text.utf8.count)
        buffer.writeString(answer.text)
        var fields = answer.headerFields
        fields[.contentLength] = String(buffer.readableBytes)
        fields[.date] = date.now()
        if close { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        answerEnded?()
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

/// Hummingbird's HTTP/1 channel with ``DecisionFastPath`` placed right after its connection
/// state handler and, unless `raw` is false, ``RawDecisionPath`` ahead of the response encoder
/// and the request decoder: the state handler then leaves the pipeline until the connection
/// leaves the raw path (it would close a connection whose requests it never saw after the
/// idle timeout).
struct DecisionFastChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel
    let node: SandboxNode
    var raw = true

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let state = try operations.handler(type: HTTPConnectionStateHandler.self)
            let fastPath = DecisionFastPath(node: node, logger: logger)
            try operations.addHandler(fastPath, position: .after(state))
            guard raw else { return value }
            let encoder = try operations.handler(type: HTTPResponseEncoder.self)
            _ = operations.removeHandler(state)
            let leave: (ChannelHandlerContext) throws -> Void = { context in
                try context.pipeline.syncOperations.addHandler(
                    HTTPConnectionStateHandler(idleTimeout: .init(APILimits.idleTimeout), logger: logger),
                    position: .before(fastPath))
            }
            let rawPath = RawDecisionPath(node: node, logger: logger, leave: leave)
            fastPath.answerEnded = { [weak rawPath] in rawPath?.answerWritten() }
            try operations.addHandler(rawPath, position: .before(encoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
