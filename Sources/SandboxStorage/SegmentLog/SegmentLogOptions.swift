/// The segment log's settings and bounds.
public struct SegmentLogOptions: Sendable, Hashable {
    /// The size of each segment file, made zero-filled before it is used. A write larger than a
    /// segment gets a segment of its own, as large as it needs (up to `maxSegmentBytes`).
    public var segmentBytes: Int

    public init(segmentBytes: Int = 16 << 20) {
        self.segmentBytes = segmentBytes
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
