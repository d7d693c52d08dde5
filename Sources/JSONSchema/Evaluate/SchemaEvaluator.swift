import JSON

/// Runs a ``SchemaProgram`` over one instance. A value type created per validation: it allocates
/// nothing unless errors are reported, annotations are needed, or `$dynamicRef` scope is tracked.
struct SchemaEvaluator {
    enum Mode {
        /// Only the verdict; return at the first failure.
        case verdict
        case allErrors
    }

    /// Unretained: the `CompiledSchema` that creates the evaluator holds the program for the
    /// whole validation, which the evaluator never outlives.
    unowned(unsafe) let program: ExecutableProgram
    let options: SchemaOptions
    let mode: Mode
    /// Visit object members sorted by name instead of in document order. The order does not
    /// change the verdict or a complete
    /// error list, but it does decide where a limit is first hit and so which errors are found
    /// before evaluation stops. ``CompiledSchema`` re-runs in this order when a limit was hit.
    var sortsMembers = false
    /// Errors, path, annotation frames and dynamic scope; nil until one is written.
    private var trail: EvaluationTrail?
    /// Above 0 inside subschemas whose failures are not errors (`anyOf` branches, `not`, `if`).
    var silence = 0
    var depth = 0
    var instanceDepth = 0
    var steps = 0
    /// ICU progress reports left for this validation (see ``ECMARegex/maximumICUProgressReports``).
    var icuBudget = ECMARegex.maximumICUProgressReports
    let stack: StackGuard
    /// The first limit hit (depth, stack, steps, pattern input). Sticky: once set, every further
    /// evaluation fails and the whole instance is invalid, even inside `not` (fail closed).
    private(set) var limitError: ValidationError?

    init(program: ExecutableProgram, options: SchemaOptions, mode: Mode) {
        self.program = program
        self.options = options
        self.mode = mode
        stack = StackGuard(budget: options.maxStackBytes)
    }

    var errors: [ValidationError] {
        get { trail?.errors ?? [] }
        _modify { yield &madeTrail.errors }
    }
    var path: [PathSegment] {
        get { trail?.path ?? [] }
        _modify { yield &madeTrail.path }
    }
    var frames: [Annotations] {
        get { trail?.frames ?? [] }
        _modify { yield &madeTrail.frames }
    }
    var dynamicScope: [Int] {
        get { trail?.dynamicScope ?? [] }
        _modify { yield &madeTrail.dynamicScope }
    }

    /// The trail, made on first use.
    private var madeTrail: EvaluationTrail {
        mutating get {
            if let trail { return trail }
            let made = EvaluationTrail()
            trail = made
            return made
        }
    }

    var recording: Bool { silence == 0 && mode != .verdict }
    var stopsEarly: Bool { silence > 0 || mode != .allErrors }

    // MARK: errors

    mutating func fail(_ at: Int, _ message: @autoclosure () -> String) -> Bool {
        if recording {
            errors.append(
                ValidationError(
                    instanceLocation: instancePointer, schemaLocation: program.locations[at], message: message()))
        }
        return false
    }

    /// Records that a limit was hit and fails. Unlike ``fail(_:_:)`` this is never silenced:
    /// the caller reports it even if it happened inside `not`, `anyOf` or `if`.
    mutating func exceedLimit(_ at: Int, _ message: String) -> Bool {
        if limitError == nil {
            limitError = ValidationError(
                instanceLocation: instancePointer, schemaLocation: program.locations[at], message: message)
        }
        return false
    }

    var instancePointer: String {
        var pointer = ""
        for segment in path {
            switch segment {
            case .key(let key): pointer += "/" + JSONPointer.escape(key)
            case .index(let index): pointer += "/" + String(index)
            }
        }
        return pointer
    }

    static func brief(_ value: JSONValue) -> String {
        let text = value.serialized()
        return text.count <= 64 ? text : String(text.prefix(61)) + "..."
    }

    // MARK: nodes

    mutating func validate(_ index: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        depth += 1
        defer { depth -= 1 }
        steps += 1
        let node = program.nodes[index]
        if limitError != nil { return false }
        if depth > options.maxEvaluationDepth {
            return exceedLimit(
                node.location, "schema evaluation deeper than \(options.maxEvaluationDepth) levels (recursive schema?)")
        }
        if depth & 7 == 0 && stack.isExhausted {
            return exceedLimit(node.location, "schema evaluation used more stack than allowed, at depth \(depth)")
        }
        if steps > options.maxEvaluationSteps {
            return exceedLimit(
                node.location, "validation took more than \(options.maxEvaluationSteps) subschema evaluations")
        }
        var enteredResource = false
        if program.usesDynamicScope && dynamicScope.last != node.resource {
            dynamicScope.append(node.resource)
            enteredResource = true
        }
        defer { if enteredResource { dynamicScope.removeLast() } }
        if node.needsAnnotations {
            frames.append(Annotations())
            let valid = evaluate(node.start, node.end, instance, collect: true)
            let own = frames.removeLast()
            if collect && valid { frames[frames.count - 1].merge(own) }
            return valid
        }
        return evaluate(node.start, node.end, instance, collect: collect)
    }

    @inline(__always)
    mutating func evaluate(_ start: Int, _ end: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        var valid = true
        var offset = start
        while offset < end {
            if !check(program.keywords[offset], instance, collect: collect) {
                valid = false
                if stopsEarly { return false }
            }
            offset += 1
        }
        return valid
    }

    /// Validates the member `key` of the instance.
    @inline(__always)
    mutating func validateChild(_ index: Int, _ value: JSONValue, key: String) -> Bool {
        guard recording else { return validateChild(index, value) }
        path.append(.key(key))
        defer { path.removeLast() }
        return validateChild(index, value)
    }

    /// Validates the element at `offset` of the instance.
    @inline(__always)
    mutating func validateChild(_ index: Int, _ value: JSONValue, offset: Int) -> Bool {
        guard recording else { return validateChild(index, value) }
        path.append(.index(offset))
        defer { path.removeLast() }
        return validateChild(index, value)
    }

    /// Validates a member or element (its path segment already pushed when recording).
    mutating func validateChild(_ index: Int, _ value: JSONValue) -> Bool {
        let node = program.nodes[index]
        if node.isLeaf {
            // No subschemas: nothing recurses, so no depth to track.
            var valid = true
            var offset = node.start
            // A passing leading `type` needs no dispatch; a failing one is reported by the loop.
            if !node.leadingTypes.isEmpty && node.leadingTypes.contains(typeOf: value) { offset += 1 }
            while offset < node.end {
                if !checkAssertion(program.keywords[offset], value) {
                    valid = false
                    if stopsEarly { return false }
                }
                offset += 1
            }
            return valid
        }
        instanceDepth += 1
        defer { instanceDepth -= 1 }
        if instanceDepth > options.maxInstanceDepth {
            return exceedLimit(node.location, "instance nested deeper than \(options.maxInstanceDepth) levels")
        }
        // Only leaves below: nothing recurses, so no evaluation depth, steps or scope to track.
        if node.isShallow { return evaluate(node.start, node.end, value, collect: false) }
        return validate(index, value, collect: false)
    }

    /// Evaluates `index` without reporting its errors; with `collect`, returns its annotations.
    mutating func probe(_ index: Int, _ instance: JSONValue, collect: Bool) -> (Bool, Annotations?) {
        silence += 1
        defer { silence -= 1 }
        if !collect { return (validate(index, instance, collect: false), nil) }
        frames.append(Annotations())
        let valid = validate(index, instance, collect: true)
        return (valid, frames.removeLast())
    }

    mutating func probeChild(_ index: Int, _ value: JSONValue) -> Bool {
        silence += 1
        defer { silence -= 1 }
        return validateChild(index, value, offset: 0)
    }

    mutating func annotate(_ update: (inout Annotations) -> Void) {
        update(&frames[frames.count - 1])
    }
    // MARK: keywords

    /// Dispatches one keyword. Kept small: it is on the recursion path, so its stack frame
    /// (large in debug builds if every keyword's code lived here) bounds how deep validation goes.
    mutating func check(_ keyword: Keyword, _ instance: JSONValue, collect: Bool) -> Bool {
        // The most common keyword first, without the second dispatch.
        if case .type(let types, _) = keyword, types.contains(typeOf: instance) { return true }
        switch keyword {
        case .members(let borrowed):
            return checkMembers(borrowed, instance, collect: collect)
        case .propertyNames(let node, let at):
            return checkPropertyNames(node, at, instance, collect: collect)
        case .dependentSchemas(let box, _):
            return checkDependentSchemas(box, instance, collect: collect)
        case .prefixItems(let box, _):
            return checkPrefixItems(box, instance, collect: collect)
        case .items(let start, let node, _):
            return checkItems(start, node, instance, collect: collect)
        case .contains(let node, let bounds, let at):
            let bounds = bounds.object.value
            return checkContains(node, bounds.minimum, bounds.maximum, at, instance, collect: collect)
        case .allOf(let box, _):
            return checkAllOf(box, instance, collect: collect)
        case .anyOf(let box, let at):
            return checkAnyOf(box, at, instance, collect: collect)
        case .oneOf(let box, let at):
            return checkOneOf(box, at, instance, collect: collect)
        case .discriminatedOneOf(let discriminator, let at):
            return checkOneOf(discriminator, at, instance, collect: collect)
        case .not(let node, let at):
            return checkNot(node, at, instance, collect: collect)
        case .conditional(let condition, let branches, _):
            let branches = branches.object.value
            return checkConditional(condition, branches.then, branches.otherwise, instance, collect: collect)
        case .reference(let node, _):
            return checkReference(node, instance, collect: collect)
        case .dynamicReference(let node, let box, _):
            return checkDynamicReference(node, box, instance, collect: collect)
        case .unevaluatedProperties(let node, let isFalse, let at):
            return checkUnevaluatedProperties(node, isFalse, at, instance, collect: collect)
        case .unevaluatedItems(let node, let isFalse, let at):
            return checkUnevaluatedItems(node, isFalse, at, instance, collect: collect)
        default:
            return checkAssertion(keyword, instance)
        }
    }
}
