import JSON

/// What `properties`, `patternProperties`, `additionalProperties` and (when every required name
/// is a declared property) `required` of one schema do, evaluated in one pass over the instance.
/// Immutable; a class so the evaluator borrows it instead of copying its tables.
///
/// `@unchecked Sendable`: the raw buffers (`names`, `slots`, `order`) are written once in
/// `init`, only read afterwards, and freed in `deinit`; the program that holds this object keeps
/// it alive for every validation.
final class MemberRules: @unchecked Sendable {
    struct Property: Sendable {
        let name: String
        let node: Int
        let isRequired: Bool
    }

    /// What the evaluator's object pass reads per declared property (a trivial type: reading it
    /// counts no references).
    struct Slot {
        let node: Int
        let isRequired: Bool
        /// Its place in `order`: the pass over the members puts the value aside at this place,
        /// and the values are checked after that pass, cheapest first.
        let rank: Int
    }

    /// Declared properties, in name order.
    let propertyList: [Property]
    /// The declared names (index = offset in `propertyList`), looked up by bytes.
    let names: NameTable
    let slots: UnsafeMutableBufferPointer<Slot>
    /// Offsets in `propertyList` of all the properties, in evaluation order: by the estimated
    /// cost of the property's subschema, then by name. The same order for every instance, so
    /// the checks run in the same sequence whatever the order of the members (which differs from
    /// one object to the next), and a verdict stops at the cheapest failure.
    let order: UnsafeMutableBufferPointer<Int>
    /// The number of properties (the length of `order`).
    let deferredCount: Int
    /// Whether every property's subschema is a leaf.
    let allLeaves: Bool
    let patternProperties: [(pattern: ECMARegex, node: Int)]
    let additionalProperties: Int?
    let additionalIsFalse: Bool
    /// No `patternProperties` and no `additionalProperties` schema other than `false`: the
    /// evaluator's two-pass object walk applies.
    let isPlain: Bool
    /// Required names folded into this keyword (all of them declared properties).
    let requiredNames: [String]
    let requiredCount: Int
    let patternLocation: Int
    let additionalLocation: Int
    let requiredLocation: Int

    /// `isLeaf` and `cost` describe a property's subschema by node index; the compiler passes
    /// nothing (the nodes are not compiled yet), ``ExecutableProgram`` the real ones
    /// (see ``ordered(isLeaf:cost:)``).
    init(
        properties: [(String, Int)], required: [String], patternProperties: [(pattern: ECMARegex, node: Int)],
        additionalProperties: Int?, additionalIsFalse: Bool, patternLocation: Int, additionalLocation: Int,
        requiredLocation: Int, isLeaf: (Int) -> Bool = { _ in false }, cost: (Int) -> Int = { _ in 0 }
    ) {
        let requiredSet = Set(required)
        let list = properties.map { Property(name: $0.0, node: $0.1, isRequired: requiredSet.contains($0.0)) }
        propertyList = list
        names = NameTable.allocate(list.map(\.name))
        let ordered = list.indices.sorted { (cost(list[$0].node), $0) < (cost(list[$1].node), $1) }
        allLeaves = list.allSatisfy { isLeaf($0.node) }
        deferredCount = ordered.count
        order = .allocate(capacity: max(ordered.count, 1))
        _ = order.initialize(from: ordered)
        var ranks = [Int](repeating: 0, count: list.count)
        for (rank, offset) in ordered.enumerated() { ranks[offset] = rank }
        slots = .allocate(capacity: max(list.count, 1))
        for (offset, property) in list.enumerated() {
            (slots.baseAddress! + offset).initialize(
                to: Slot(node: property.node, isRequired: property.isRequired, rank: ranks[offset]))
        }
        self.patternProperties = patternProperties
        self.additionalProperties = additionalProperties
        self.additionalIsFalse = additionalIsFalse
        isPlain = patternProperties.isEmpty && (additionalProperties == nil || additionalIsFalse)
        self.requiredNames = required
        requiredCount = required.count
        self.patternLocation = patternLocation
        self.additionalLocation = additionalLocation
        self.requiredLocation = requiredLocation
    }

    /// The same rules, with the properties evaluated in order of `cost`.
    func ordered(isLeaf: (Int) -> Bool, cost: (Int) -> Int) -> MemberRules {
        MemberRules(
            properties: propertyList.map { ($0.name, $0.node) }, required: requiredNames,
            patternProperties: patternProperties, additionalProperties: additionalProperties,
            additionalIsFalse: additionalIsFalse, patternLocation: patternLocation,
            additionalLocation: additionalLocation, requiredLocation: requiredLocation, isLeaf: isLeaf, cost: cost)
    }

    deinit {
        names.deallocate()
        slots.deallocate()
        order.deallocate()
    }

    /// The offset in `propertyList` of the declared property named `name` (same code points).
    @inline(__always)
    func propertyOffset(named name: String) -> Int? { names.index(of: name) }
}
