import JSON
import JSONSchema

indirect enum ConditionExpression: Sendable {
    case literal(JSONValue)
    case list([ConditionExpression])
    case parameter(FieldPath)
    case attribute(RequestAttribute)
    case function(ConditionFunction, ConditionExpression)
    case not(ConditionExpression)
    case and(ConditionExpression, ConditionExpression)
    case or(ConditionExpression, ConditionExpression)
    case comparison(ConditionExpression, ComparisonOperator, ConditionExpression)
    case test(ConditionExpression, StringTest, ConditionExpression, negated: Bool)
    case matches(ConditionExpression, GlobPattern, negated: Bool)

    /// The values of `items` when every item is a literal (so the list is built once, at compile).
    static func literalValues(_ items: [ConditionExpression]) -> [JSONValue]? {
        var values: [JSONValue] = []
        for item in items {
            guard case .literal(let value) = item else { return nil }
            values.append(value)
        }
        return values
    }
}
