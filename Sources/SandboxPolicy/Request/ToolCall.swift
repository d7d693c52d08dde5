import JSON

/// A tool call: the tool's name, its JSON parameters, how deep in an agent chain it is made and
/// what it is estimated to cost.
public struct ToolCall: Sendable, Hashable {
    public var tool: String
    public var parameters: JSONValue
    public var chainDepth: Int
    /// The estimated cost in dollars as stated by the caller; setting it sets ``costMicroUSD``.
    public var costUSD: JSONNumber? {
        didSet { costMicroUSD = costUSD.map(MicroUSD.roundedUp) }
    }
    /// ``costUSD`` in whole micro-dollars, rounded up (never under-counted; a negative cost counts
    /// as 0, one beyond `Int64.max` µUSD as `Int64.max`). The JSON wire form accepts only costs
    /// that convert exactly.
    public private(set) var costMicroUSD: Int64?

    public init(tool: String, parameters: JSONValue = .object([:]), chainDepth: Int = 0, costUSD: JSONNumber? = nil) {
        self.tool = tool
        self.parameters = parameters
        self.chainDepth = chainDepth
        self.costUSD = costUSD
        self.costMicroUSD = costUSD.map(MicroUSD.roundedUp)
    }
}
