import JSON

/// One compiled keyword. `at` is the index of its schema location in ``SchemaProgram/locations``.
enum Keyword: Sendable {
    /// Whether the keyword tests the instance itself, with no subschema.
    var isAssertion: Bool {
        switch self {
        case .members, .propertyNames, .dependentSchemas, .prefixItems, .items, .contains, .allOf, .anyOf, .oneOf,
            .discriminatedOneOf,
            .not, .conditional, .reference, .dynamicReference, .unevaluatedProperties, .unevaluatedItems:
            return false
        default:
            return true
        }
    }

    case alwaysInvalid(at: Int)
    case type(TypeSet, at: Int)
    case enumeration(Borrowed<EnumValues>, at: Int)
    case constant(Borrowed<EnumValues>, at: Int)
    case multipleOf(Borrowed<NumberBound>, at: Int)
    case maximum(Borrowed<NumberBound>, at: Int)
    case exclusiveMaximum(Borrowed<NumberBound>, at: Int)
    case minimum(Borrowed<NumberBound>, at: Int)
    case exclusiveMinimum(Borrowed<NumberBound>, at: Int)
    case maxLength(Int, at: Int)
    case minLength(Int, at: Int)
    case pattern(Borrowed<ECMARegex>, at: Int)
    case format(Format, at: Int)
    case maxItems(Int, at: Int)
    case minItems(Int, at: Int)
    case uniqueItems(at: Int)
    case maxProperties(Int, at: Int)
    case minProperties(Int, at: Int)
    case required(Borrowed<Box<[String]>>, at: Int)
    case dependentRequired(Borrowed<Box<[(property: String, required: [String])]>>, at: Int)
    case members(Borrowed<MemberRules>)
    case propertyNames(Int, at: Int)
    case dependentSchemas(Borrowed<Box<[(property: String, node: Int)]>>, at: Int)
    case prefixItems(Borrowed<Box<[Int]>>, at: Int)
    case items(from: Int, node: Int, at: Int)
    /// `contains` with its `minContains` and `maxContains` (boxed: a keyword stays three words).
    case contains(node: Int, bounds: Borrowed<Box<ContainsBounds>>, at: Int)
    case allOf(Borrowed<Box<[Int]>>, at: Int)
    case anyOf(Borrowed<Box<[Int]>>, at: Int)
    case oneOf(Borrowed<Box<[Int]>>, at: Int)
    /// A `oneOf` told apart by one property's `const` (made from `oneOf` by ``ExecutableProgram``).
    case discriminatedOneOf(Borrowed<OneOfDiscriminator>, at: Int)
    case not(Int, at: Int)
    /// `if` with its `then` and `else` (boxed: a keyword stays three words).
    case conditional(if: Int, branches: Borrowed<Box<ConditionalBranches>>, at: Int)
    case reference(Int, at: Int)
    case dynamicReference(Int, anchor: Borrowed<Box<String>>, at: Int)
    case unevaluatedProperties(Int, isFalse: Bool, at: Int)
    case unevaluatedItems(Int, isFalse: Bool, at: Int)
}
