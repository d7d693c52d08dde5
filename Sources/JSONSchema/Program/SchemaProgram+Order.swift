/// The evaluation order: cheap keywords and properties first, the same in every process.
///
/// A verdict stops at the first failure, so what is evaluated before it is the cost of an
/// invalid instance: a type or a bound is tested before a pattern, a pattern before a subschema,
/// a leaf property before a nested object. Costs are estimates (relative instruction counts of
/// one evaluation), used only to order; the verdict and the error list do not depend on them.
extension SchemaProgram {
    /// The estimated cost of evaluating each node once.
    func nodeCosts() -> [Int] {
        var estimator = CostEstimator(program: self)
        return nodes.indices.map { estimator.cost(of: $0, depth: 0) }
    }

    /// Whether each node is a leaf: only keywords that test the instance itself.
    func leaves() -> [Bool] {
        nodes.map { node in !node.needsAnnotations && node.keywords.allSatisfy(\.isAssertion) }
    }

    /// `keywords` cheapest first (stable), with `type` kept first (the evaluator tests a leading
    /// `type` inline) and `unevaluated*` kept last (they read the others' annotations).
    static func ordered(_ keywords: [Keyword], nodeCost: (Int) -> Int) -> [Keyword] {
        func rank(_ keyword: Keyword) -> Int {
            switch keyword {
            case .type: return Int.min
            case .unevaluatedProperties, .unevaluatedItems: return Int.max
            default: return keyword.cost(nodeCost: nodeCost)
            }
        }
        return keywords.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(
            \.element)
    }
}

/// Memoized, depth-bounded cost of nodes (references can be cyclic and schemas deep).
private struct CostEstimator {
    let program: SchemaProgram
    var memo: [Int?]
    var inProgress: Set<Int> = []
    /// Beyond this depth, or on a cycle, a node counts as this expensive.
    static let unknown = 1_000
    static let maximumDepth = 8

    init(program: SchemaProgram) {
        self.program = program
        memo = Array(repeating: nil, count: program.nodes.count)
    }

    mutating func cost(of node: Int, depth: Int) -> Int {
        if let known = memo[node] { return known }
        if depth > CostEstimator.maximumDepth || inProgress.contains(node) { return CostEstimator.unknown }
        inProgress.insert(node)
        var total = 1
        for keyword in program.nodes[node].keywords {
            total = min(total + keyword.cost(nodeCost: { cost(of: $0, depth: depth + 1) }), 1_000_000)
        }
        inProgress.remove(node)
        memo[node] = total
        return total
    }
}

extension Keyword {
    /// Estimated cost of one evaluation, given the cost of the nodes it applies.
    func cost(nodeCost: (Int) -> Int) -> Int {
        switch self {
        case .alwaysInvalid, .type, .maxItems, .minItems, .maxProperties, .minProperties: return 1
        case .enumeration, .constant, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum, .maxLength,
            .minLength:
            return 2
        case .multipleOf, .dependentRequired: return 4
        case .required(let names, _): return 1 + names.object.value.count
        case .pattern, .format: return 10
        case .uniqueItems: return 30
        case .members(let rules):
            return rules.object.propertyList.reduce(4) { $0 + nodeCost($1.node) }
                + rules.object.patternProperties.reduce(0) { $0 + 10 + nodeCost($1.node) }
        case .propertyNames(let node, _): return 20 + 4 * nodeCost(node)
        case .dependentSchemas(let box, _): return box.object.value.reduce(2) { $0 + nodeCost($1.node) }
        case .prefixItems(let box, _): return box.object.value.reduce(2) { $0 + nodeCost($1) }
        case .items(_, let node, _), .contains(let node, _, _): return 8 * nodeCost(node)
        case .allOf(let box, _), .anyOf(let box, _), .oneOf(let box, _):
            return box.object.value.reduce(2) { $0 + nodeCost($1) }
        case .discriminatedOneOf(let discriminator, _):
            return discriminator.object.nodes.map(nodeCost).max() ?? 0
        case .not(let node, _), .reference(let node, _): return 1 + nodeCost(node)
        case .conditional(let condition, let branches, _):
            let (then, otherwise) = (branches.object.value.then, branches.object.value.otherwise)
            return 1 + nodeCost(condition) + max(then.map(nodeCost) ?? 0, otherwise.map(nodeCost) ?? 0)
        case .dynamicReference: return 200
        case .unevaluatedProperties(let node, _, _), .unevaluatedItems(let node, _, _): return 50 + 4 * nodeCost(node)
        }
    }
}
