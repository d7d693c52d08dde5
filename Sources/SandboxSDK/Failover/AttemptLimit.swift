/// One attempt's time limit over the whole exchange (connect, head and body): the transport's
/// own timeout may stop at the head (async-http-client's does), and a node dripping its body
/// must not hold a call past its deadline.
enum AttemptLimit {
    struct Exceeded: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "no whole answer within \(limit)" }
    }

    /// `operation`'s result, or ``Exceeded`` once `limit` passed (the operation is then
    /// cancelled; a transport must stop on cancellation, as async-http-client does).
    static func run<T: Sendable>(
        _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw Exceeded(limit: limit) }
            return value
        }
    }
}
