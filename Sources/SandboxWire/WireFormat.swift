/// Constants of the peer wire format (see docs/cluster.md, "Wire format").
public enum WireFormat {
    /// The protocol version every frame carries in its first byte. It changes only when a frame
    /// an older node decodes changes; a new frame kind (`snapshotAbandoned`, kinds 8
    /// and 9) is added within it.
    public static let version: UInt8 = 1
    /// Bytes of the big-endian length prefix in front of every frame body.
    public static let lengthPrefixBytes = 4
}
