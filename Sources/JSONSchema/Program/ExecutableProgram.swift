/// The program the evaluator runs: nodes with their keywords flattened into one buffer.
///
/// `@unchecked Sendable`: everything is written once in `init` and never mutated afterwards; the
/// two buffers are owned by this object (freed in `deinit`) and only read while it is alive,
/// which its `CompiledSchema` guarantees for the length of every validation. Reading keywords
/// through a buffer lets the evaluator borrow them instead of copying (and retaining) each one.
final class ExecutableProgram: @unchecked Sendable {
    struct Node: Sendable {
        let start: Int
        let end: Int
        let resource: Int
        let needsAnnotations: Bool
        let location: Int
        /// Only keywords that test the instance itself (no subschemas): evaluated without the
        /// recursion bookkeeping, which cannot be needed.
        let isLeaf: Bool
        /// When the first keyword is `type` (the common case), its types, so a leaf can test
        /// them inline and start after it; empty otherwise.
        let leadingTypes: TypeSet
        /// Not a leaf, but every subschema it applies is one (an object of leaf properties, an
        /// array of leaf items): it cannot recurse, so it needs no recursion bookkeeping either.
        let isShallow: Bool
    }

    let nodes: UnsafeMutableBufferPointer<Node>
    let keywords: UnsafeMutableBufferPointer<Keyword>
    let root: Int
    let dynamicAnchors: [[String: Int]]
    let usesDynamicScope: Bool
    let locations: [String]
    /// Keeps alive the objects keywords refer to without counting.
    let objects: [any AnyObject & Sendable]

    init(_ program: SchemaProgram) {
        var nodes: [Node] = []
        var keywords: [Keyword] = []
        var objects = program.objects
        let costs = program.nodeCosts()
        let leaves = program.leaves()
        for (index, node) in program.nodes.enumerated() {
            let start = keywords.count
            for keyword in SchemaProgram.ordered(node.keywords, nodeCost: { costs[$0] }) {
                let (executable, owner) = ExecutableProgram.executable(keyword, program, costs: costs, leaves: leaves)
                if let owner { objects.append(owner) }
                keywords.append(executable)
            }
            nodes.append(
                Node(
                    start: start, end: keywords.count, resource: node.resource,
                    needsAnnotations: node.needsAnnotations, location: node.location, isLeaf: leaves[index],
                    leadingTypes: ExecutableProgram.leadingTypes(node.keywords),
                    isShallow: !node.needsAnnotations
                        && keywords[start...].allSatisfy { ExecutableProgram.appliesOnlyLeaves($0, leaves: leaves) }))
        }
        self.nodes = .allocate(capacity: nodes.count)
        _ = self.nodes.initialize(from: nodes)
        self.keywords = .allocate(capacity: keywords.count)
        _ = self.keywords.initialize(from: keywords)
        root = program.root
        dynamicAnchors = program.dynamicAnchors
        usesDynamicScope = program.usesDynamicScope
        locations = program.locations
        self.objects = objects
    }

    /// The keyword as the evaluator runs it, and the object it now refers to (to keep alive):
    /// member rules ordered leaves first, then by cost; a `oneOf` with a discriminator.
    private static func executable(_ keyword: Keyword, _ program: SchemaProgram, costs: [Int], leaves: [Bool])
        -> (Keyword, (any AnyObject & Sendable)?)
    {
        switch keyword {
        case .members(let rules):
            let ordered = rules.object.ordered(isLeaf: { leaves[$0] }, cost: { costs[$0] })
            return (.members(Borrowed(ordered)), ordered)
        case .oneOf(let nodes, let at):
            guard let discriminator = OneOfDiscriminator.find(nodes: nodes.object.value, in: program) else {
                return (keyword, nil)
            }
            return (.discriminatedOneOf(Borrowed(discriminator), at: at), discriminator)
        default:
            return (keyword, nil)
        }
    }

    /// Whether `keyword` tests the instance itself or applies only leaf subschemas to its members
    /// or items (checked without recursion bookkeeping).
    private static func appliesOnlyLeaves(_ keyword: Keyword, leaves: [Bool]) -> Bool {
        switch keyword {
        case .members(let rules): return rules.object.isPlain && rules.object.allLeaves
        case .items(_, let node, _): return leaves[node]
        case .prefixItems(let nodes, _): return nodes.object.value.allSatisfy { leaves[$0] }
        default: return keyword.isAssertion
        }
    }

    private static func leadingTypes(_ keywords: [Keyword]) -> TypeSet {
        if case .type(let types, _)? = keywords.first { return types }
        return []
    }

    deinit {
        nodes.deinitialize()
        nodes.deallocate()
        keywords.deinitialize()
        keywords.deallocate()
    }
}
