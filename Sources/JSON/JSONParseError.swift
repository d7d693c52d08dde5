/// Why a JSON text could not be parsed, and where (1-based line and byte column).
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 3, column 14: expected ':' after an object key`
    public var description: String { "line \(line), column \(column): \(message)" }
}
