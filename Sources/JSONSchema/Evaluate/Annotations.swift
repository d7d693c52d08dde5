/// Which annotations (evaluated properties and items) in-place subschemas produced; tracked only
/// for schemas with `unevaluatedProperties` or `unevaluatedItems`.
struct Annotations {
    var allProperties = false
    var properties: Set<String> = []
    var allItems = false
    var itemPrefix = 0
    var containsIndices: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        allProperties = allProperties || other.allProperties
        if !allProperties { properties.formUnion(other.properties) }
        allItems = allItems || other.allItems
        itemPrefix = max(itemPrefix, other.itemPrefix)
        if !allItems { containsIndices.formUnion(other.containsIndices) }
    }
}
