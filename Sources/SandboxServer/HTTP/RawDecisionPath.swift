import Foundation
import HTTPTypes
import HummingbirdCore
import JSON
import Logging
import NIOCore
import SandboxState

/// `POST /v1/decisions` answered from the connection's bytes, ahead of NIOHTTP1's decoder: a
/// connection starts here, and while it sends only decisions in their plainest form
/// (``RawDecisionRequest``) each is read from the bytes, proposed, and its answer written as
/// bytes. The decoder, the HTTP types' conversion, the encoder and four handlers' hops per part
/// cost about half of the HTTP event loops' work per decision at 64 clients.
///
/// A whole decision it may not answer itself (an unknown key, a rate-limited client, a body
/// that is not a decision: whatever ``DecisionFastPath`` hands to the router) goes to the
/// decoder, which reads it to the same byte, and the path goes on after its answer. The first
/// request it does not take as a whole decision — any other route, any field it does not take —
/// ends the path for the connection: once nothing of its own waits, the bytes it holds and all
/// that follow go to the decoder, where ``DecisionFastPath`` and the router answer them as on
/// any connection. So does a half-close, a graceful shutdown's quiesce event or an error.
/// Answers keep the connection's order: nothing goes on to the decoder while a decision waits
/// (what arrives meanwhile is held, and reading stops once something is held, as in
/// ``DecisionFastPath``).
///
/// Hummingbird's `HTTPConnectionStateHandler` (idle timeout, graceful shutdown's wait for the
/// answer in flight) sees only what the decoder passes it, so it joins the pipeline when the
/// connection leaves this path (``DecisionFastChannel``); until then this path keeps the same
/// rules itself: a connection with no request in flight closes `APILimits.idleTimeout` after
/// its last answer (or the last whole head) whatever bytes trickle in meanwhile, and a
/// decision's body must arrive within `APILimits.bodyDeadline` of its head (408 and close, as
/// on the other paths). A body still arriving is not parsed again until all of it is here.
final class RawDecisionPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Held {
        case event(Any)
        case error(any Error)
    }

    /// Events and errors held while a decision waits (a backstop: a connection has few).
    static let maxHeld = 64

    private let node: SandboxNode
    private let logger: Logger
    /// Adds Hummingbird's connection state handler when the connection leaves this path.
    private let leave: (ChannelHandlerContext) throws -> Void
    private var context: ChannelHandlerContext?
    /// Whether the connection still takes this path (false: every byte goes to the decoder).
    private var taking = true
    /// Bytes received and not yet taken.
    private var pending: ByteBuffer?
    /// A decision proposed, or handed to the decoder, and its answer not yet written.
    private var answering = false
    /// The decision waiting is the router's: ``answerWritten()`` says when it is answered.
    private var handedOver = false
    private var held = CircularBuffer<Held>()
    private var readHeld = false
    /// Armed while a decision's head is whole and its body is not.
    private var bodyDeadline: Scheduled<Void>?
    /// While a decision's body arrives: the bytes its request needs in `pending`.
    private var neededBytes: Int?
    /// While a decision's head arrives: how many bytes of `pending` the last parse read (to
    /// `.needHead`); the head is parsed again only when a line ends after them.
    private var headParsedBytes: Int?
    private var idleCheck: Scheduled<Void>?
    private var lastActive = NIODeadline.now()
    private var date = HTTPDateText()

    init(node: SandboxNode, logger: Logger, leave: @escaping (ChannelHandlerContext) throws -> Void) {
        self.node = node
        self.logger = logger
        self.leave = leave
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { scheduleIdleCheck(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        cancelTimers()
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleIdleCheck(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        taking = false  // nothing more is proposed for a closed connection
        pending = nil
        headParsedBytes = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard taking else {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if pending == nil { pending = bytes } else { pending!.writeBuffer(&bytes) }
        if !answering && held.isEmpty { take(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard taking else {
            context.fireErrorCaught(error)
            return
        }
        if answering { hold(.error(error), context) } else { deliver(.error(error), context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard taking else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if answering { hold(.event(event), context) } else { deliver(.event(event), context) }
    }

    /// While a decision waits, the socket is read on until bytes arrive behind it (as in
    /// ``DecisionFastPath/read(context:)``).
    func read(context: ChannelHandlerContext) {
        if taking && answering && (pending?.readableBytes ?? 0) > 0 {
            readHeld = true
        } else {
            context.read()
        }
    }

    // MARK: reading

    /// Takes the whole decisions at the front of `pending`, one at a time (the next once the
    /// previous is answered), and leaves the path at the first request it does not take.
    private func take(_ context: ChannelHandlerContext) {
        while taking, !answering, let buffer = pending {
            // A body still arriving is not parsed again until all of it is here.
            if let neededBytes, buffer.readableBytes < neededBytes { return }
            // Nor a head before a line of it ends.
            if let headParsedBytes,
                buffer.withUnsafeReadableBytes({
                    RawDecisionRequest.stillNeedsHead($0, parsedCount: headParsedBytes)
                })
            {
                return
            }
            let parsed = buffer.withUnsafeReadableBytes { RawDecisionRequest.parse($0) }
            headParsedBytes = nil
            switch parsed {
            case .other:
                leavePath(context)
            case .needHead:
                headParsedBytes = buffer.readableBytes
                return
            case .needBody(let length):
                if neededBytes == nil {
                    neededBytes = length
                    lastActive = .now()  // a request is being read (the 408 comes first)
                    armBodyDeadline(context)
                }
                return
            case .decision(let length, let bodyStart, let agentKey, let idempotencyKey):
                neededBytes = nil
                endBodyDeadline()
                let proposed = decide(
                    buffer.getBytes(at: buffer.readerIndex + bodyStart, length: length - bodyStart) ?? [],
                    agentKey: agentKey, idempotencyKey: idempotencyKey, context)
                let request = pending!.readSlice(length: length)!
                if pending!.readableBytes == 0 { pending = nil }
                if !proposed {
                    // The router answers it and says why. The decoder reads it to the same byte
                    // (`RawDecisionRequestTests`), so it is at a request's start again after it.
                    answering = true
                    handedOver = true
                    context.fireChannelRead(wrapInboundOut(request))
                    context.fireChannelReadComplete()
                }
            }
        }
    }

    /// The connection leaves this path: Hummingbird's state handler joins, and the bytes held
    /// go to the decoder.
    private func leavePath(_ context: ChannelHandlerContext) {
        taking = false
        cancelTimers()
        do { try leave(context) } catch {
            logger.error("cannot hand an HTTP connection to the router; closing it", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        if let bytes = pending {
            pending = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
    }

    private func hold(_ item: Held, _ context: ChannelHandlerContext) {
        guard held.count < Self.maxHeld else {
            context.close(promise: nil)
            return
        }
        held.append(item)
    }

    /// An event or error with no decision waiting: graceful shutdown's quiesce event, a
    /// half-close and errors end the path (and reach the state handler, the decoder and the
    /// router, which act on them as on any connection); other events (TLS's) pass.
    private func deliver(_ item: Held, _ context: ChannelHandlerContext) {
        switch item {
        case .event(let event):
            if taking, event as? ChannelEvent == .outputClosed {
                // Whatever closed the output (the router after a 400 that closes), nothing
                // more can be answered: nothing more is proposed.
                taking = false
                pending = nil
                cancelTimers()
            } else if taking, event is ChannelShouldQuiesceEvent || event as? ChannelEvent == .inputClosed {
                leavePath(context)
            }
            context.fireUserInboundEventTriggered(event)
        case .error(let error):
            if taking { leavePath(context) }
            context.fireErrorCaught(error)
        }
    }

    // MARK: deciding

    /// Proposes the decision, or returns false when the router must answer it.
    private func decide(
        _ body: [UInt8], agentKey: String?, idempotencyKey: String?, _ context: ChannelHandlerContext
    ) -> Bool {
        guard
            let command = DecisionRoutes.fastCommand(
                body: body, agentKey: agentKey, idempotencyKey: idempotencyKey,
                address: context.channel.remoteAddress, node: node)
        else { return false }
        answering = true
        node.metrics.fastPathDecisions.increment()
        node.metrics.rawPathDecisions.increment()
        let started = ContinuousClock.now
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        node.propose(command) { end in
            loop.execute { handler.value.answered(end, started: started) }
        }
        return true
    }

    private func answered(_ end: SandboxNode.ProposalEnd, started: ContinuousClock.Instant) {
        answering = false
        let (answer, outcome) = DecisionRoutes.answer(end.outcome())
        node.metrics.recordDecision(outcome: outcome, duration: .now - started)
        guard let context else { return }
        write(answer, close: false, context)
        resume(context)
    }

    /// ``DecisionFastPath`` wrote an answer's end (its own or the router's): while a decision
    /// handed over waits, that is its answer.
    func answerWritten() {
        guard handedOver, let context else { return }
        handedOver = false
        answering = false
        resume(context)
    }

    /// After an answer: the next requests, then what was held, then reading again.
    private func resume(_ context: ChannelHandlerContext) {
        lastActive = .now()
        take(context)
        while !answering, let next = held.popFirst() { deliver(next, context) }
        if !answering, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func write(_ answer: JSONAnswer, close: Bool, _ context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: answer.text.utf8.count + 192)
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(answer.status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(answer.status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for field in answer.headerFields {
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(answer.text.utf8.count))
        buffer.writeStaticString("\r\nDate: ")
        buffer.writeString(date.now())
        buffer.writeStaticString(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n")
        buffer.writeString(answer.text)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
    }

    // MARK: deadlines

    private func armBodyDeadline(_ context: ChannelHandlerContext) {
        guard bodyDeadline == nil else { return }
        bodyDeadline = context.eventLoop.assumeIsolated().scheduleTask(
            in: .nanoseconds(
                NodeMetrics.nanoseconds(APILimits.bodyDeadline))
        ) { [weak self] in
            self?.bodyTooSlow()
        }
    }

    private func endBodyDeadline() {
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }

    /// A decision's body did not arrive within `APILimits.bodyDeadline` of its head: 408, and
    /// the connection closes (as ``DecisionFastPath`` does).
    private func bodyTooSlow() {
        bodyDeadline = nil
        guard let context, taking, !answering else { return }
        pending = nil
        node.metrics.recordDecision(outcome: "error", duration: APILimits.bodyDeadline)
        write(JSONAnswer(.bodyTooSlow), close: true, context)
        context.close(promise: nil)
    }

    /// Closes the connection once `APILimits.idleTimeout` passed since the last answer or whole
    /// head, with no decision waiting (Hummingbird's rule, which its state handler keeps once the
    /// connection leaves this path: bytes that do not make a head do not count).
    private func scheduleIdleCheck(_ context: ChannelHandlerContext) {
        guard taking, idleCheck == nil else { return }
        let due = answering ? NIODeadline.now() + APILimits.idleTimeout : lastActive + APILimits.idleTimeout
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { [weak self] in
            guard let self, let context = self.context else { return }
            self.idleCheck = nil
            if self.taking, !self.answering, NIODeadline.now() >= self.lastActive + APILimits.idleTimeout {
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(context)
            }
        }
    }

    private func cancelTimers() {
        neededBytes = nil
        endBodyDeadline()
        idleCheck?.cancel()
        idleCheck = nil
    }
}

/// The `Date` field's text (RFC 9110's IMF-fixdate), formatted once a second.
struct HTTPDateText {
    private var second = 0
    private var text = ""

    mutating func now() -> String {
        var now = time(nil)
        if now != second {
            var parts = tm()
            gmtime_r(&now, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            (second, text) = (now, String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return text
    }
}
