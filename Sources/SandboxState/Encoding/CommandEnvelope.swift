/// The bytes of a log entry: format version, the leader's time stamp, the command.
///
/// ```
/// u8  format version (1)
/// u64 time, milliseconds since 1970-01-01 UTC (stamped by the leader; big-endian)
/// u8  command tag, then the command's fields (docs/state.md, "Encoding")
/// ```
///
/// Raft's own empty entry (no bytes at all) is read as a no-op.
public enum CommandEnvelope {
    public static let formatVersion: UInt8 = 1
    /// Offset of the time stamp, so the leader can stamp encoded proposals in place.
    public static let timeOffset = 1
    public static let headerBytes = 10

    /// The entry bytes for `command`, stamped with `timeMillis` (the leader may restamp them
    /// with ``stamp(_:timeMillis:)``).
    public static func encode(_ command: Command, timeMillis: UInt64 = 0) -> [UInt8] {
        var writer = ByteWriter(capacity: 128)
        writer.u8(formatVersion)
        writer.u64(timeMillis)
        command.encode(into: &writer)
        return writer.bytes
    }

    /// Writes the leader's wall time into encoded entry bytes. Returns false (and leaves the
    /// bytes alone) for bytes that are not a stampable command.
    @discardableResult
    public static func stamp(_ bytes: inout [UInt8], timeMillis: UInt64) -> Bool {
        guard bytes.count >= headerBytes, bytes[0] == formatVersion else { return false }
        for i in 0..<8 { bytes[timeOffset + i] = UInt8(truncatingIfNeeded: timeMillis >> UInt64(56 - 8 * i)) }
        return true
    }

    /// The stamped time and the command, or why the bytes are not one.
    public static func decode(_ bytes: [UInt8], limits: StateLimits = StateLimits()) throws(DecodingError) -> (
        timeMillis: UInt64, command: Command
    ) {
        if bytes.isEmpty { return (0, .noop) }
        var reader = ByteReader(bytes)
        let version = try reader.u8("format version")
        guard version == formatVersion else {
            throw DecodingError("unknown command format version \(version) (this node reads version \(formatVersion))")
        }
        let time = try reader.u64("time")
        let command = try Command.decode(from: &reader, limits: limits)
        try reader.expectEnd("command")
        return (time, command)
    }
}
