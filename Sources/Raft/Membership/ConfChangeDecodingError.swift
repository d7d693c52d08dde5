/// Why a `.configChange` entry's payload could not be decoded.
public enum ConfChangeDecodingError: Error, Sendable, Hashable {
    /// A membership change is exactly 9 bytes long.
    case wrongLength(Int)
    /// The first byte names no known kind of change.
    case unknownKind(UInt8)
}
