/// Test-only switches of the driver, reached only through the `Testing` SPI
/// (`@_spi(Testing) import SandboxCluster`): a broken variant of the runtime loop for mutation
/// tests, and a fault at the log write. Production drivers leave it empty.
@_spi(Testing) public struct DriverTestSeam: Sendable {
    /// Sends `messagesAfterPersist` (acknowledgements, votes) before the log write instead of
    /// after it — the runtime-loop bug of issue 9 ("a vote or acknowledgement sent before it is
    /// durable"). The tests must catch it.
    public var sendBeforePersist = false
    /// Runs before each log write that carries entries, with their count; when it throws, the
    /// write does not happen and the node stops, as a crash at that instant would leave it.
    public var beforeEntriesWrite: (@Sendable (Int) throws -> Void)?
    /// Runs on the snapshot receiver's thread after a stream's last chunk is stored, before the
    /// state is flushed (a test holds an install there).
    public var beforeSnapshotPrepare: (@Sendable () -> Void)?

    public init() {}
}
