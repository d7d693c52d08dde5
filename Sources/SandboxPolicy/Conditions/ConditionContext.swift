import JSON
import JSONSchema

/// What a condition reads: the tool call's parameters and a few request attributes.
public struct ConditionContext: Sendable {
    public var parameters: JSONValue
    public var tool: String
    public var chainDepth: Int
    public var costUSD: JSONNumber?

    public init(parameters: JSONValue, tool: String, chainDepth: Int = 0, costUSD: JSONNumber? = nil) {
        self.parameters = parameters
        self.tool = tool
        self.chainDepth = chainDepth
        self.costUSD = costUSD
    }
}
