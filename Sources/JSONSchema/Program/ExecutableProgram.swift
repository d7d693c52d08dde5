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
                guard case .members(let rules) = keyword else {
                    keywords.append(keyword)
                    continue
                }
                // Leaf properties first, then the others by cost (see `MemberRules.deferredOrder`).
                let ordered = rules.object.ordered(isLeaf: { leaves[$0] }, cost: { costs[$0] })
                objects.append(ordered)
                keywords.append(.members(Borrowed(ordered)))
            }
            nodes.append(
                Node(
                    start: start, end: keywords.count, resource: node.resource,
                    needsAnnotations: node.needsAnnotations, location: node.location, isLeaf: leaves[index],
                    leadingTypes: ExecutableProgram.leadingTypes(node.keywords)))
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
