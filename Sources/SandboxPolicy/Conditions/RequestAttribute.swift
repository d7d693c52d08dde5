import JSON
import JSONSchema

/// Request attributes a condition may read with `$name`.
public enum RequestAttribute: String, Sendable, CaseIterable {
    case tool
    case chain_depth
    case cost_usd
}
