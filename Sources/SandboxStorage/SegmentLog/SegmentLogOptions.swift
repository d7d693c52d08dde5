/// The segment log's settings and bounds.
public struct SegmentLogOptions: Sendable, Hashable {
    /// The size of each segment file, made zero-filled before it is used. A write larger than a
    /// segment gets a segment of its own, as large as it needs (up to `maxSegmentBytes`).
    public var segmentBytes: Int
    /// A spare made in the background (`SegmentLog.prepareSpare`) is zero-filled and synced this
    /// many bytes at a time, each piece followed by a pause as long as its write and sync took
    /// (at most `maxFillPause`): the fill then takes at most about half of the disk's time, and
    /// an append's `fdatasync` queues behind one piece, never behind a whole segment (16 MiB
    /// synced at once would hold every append of the node for as long as the disk takes to write
    /// it). A spare made on the append path itself (none was ready) is filled at once. Taken as
    /// 4 KiB at least.
    public var fillPieceBytes: Int
    public static let maxFillPause: Duration = .milliseconds(20)

    public init(segmentBytes: Int = 16 << 20, fillPieceBytes: Int = 256 << 10) {
        self.segmentBytes = segmentBytes
        self.fillPieceBytes = fillPieceBytes
    }

    /// Segment sizes: multiples of 4 KiB (a page) from 4 KiB to 1 GiB, so offsets fit in 32 bits.
    public static let minSegmentBytes = 4096
    public static let maxSegmentBytes = 1 << 30
    /// More segment files than this in the directory is not a log this build wrote (at the
    /// default size, 64 Ki segments are a TiB of log).
    public static let maxSegments = 65_536

    func validated() throws -> SegmentLogOptions {
        guard segmentBytes >= Self.minSegmentBytes, segmentBytes <= Self.maxSegmentBytes,
            segmentBytes % Self.minSegmentBytes == 0
        else {
            throw StorageError.tooLarge(
                what: "segment size (a multiple of 4096 from 4096)", size: segmentBytes, limit: Self.maxSegmentBytes)
        }
        return self
    }
}
