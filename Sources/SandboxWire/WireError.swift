/// Why a frame could not be decoded. Bad input is always one of these, never a crash.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The frame ended `needed` bytes early while reading `field`.
    case truncated(field: String, needed: Int)
    /// A length or count in the frame exceeds its limit (see `WireLimits`).
    case limitExceeded(field: String, value: UInt64, limit: UInt64)
    /// The frame was written by a protocol version this node does not speak.
    case unsupportedVersion(UInt8)
    /// A tag byte (frame kind, message kind, entry kind, outcome) is not a known value.
    case unknownTag(field: String, value: UInt8)
    /// A value is outside its domain (a flag other than 0 or 1, text that is not UTF-8, ...).
    case invalidValue(field: String, reason: String)
    /// Bytes were left over after the frame's last field.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated(let field, let needed):
            return "peer frame truncated: \(needed) more bytes needed for \(field); the peer runs a different "
                + "protocol or the connection is damaged"
        case .limitExceeded(let field, let value, let limit):
            return "peer frame refused: \(field) is \(value), the limit is \(limit) (WireLimits)"
        case .unsupportedVersion(let version):
            return "peer frame of protocol version \(version) refused (this node speaks version "
                + "\(WireFormat.version)); run the same sandboxd release on every node"
        case .unknownTag(let field, let value):
            return "peer frame refused: unknown \(field) \(value)"
        case .invalidValue(let field, let reason):
            return "peer frame refused: \(field) \(reason)"
        case .trailingBytes(let count):
            return "peer frame refused: \(count) bytes after the last field"
        }
    }
}
