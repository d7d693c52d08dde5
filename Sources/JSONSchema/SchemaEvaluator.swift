import JSON

/// A step of an instance location.
enum PathSegment {
    case key(String)
    case index(Int)
}

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
    /// Visit object members sorted by name instead of in dictionary order. Dictionary order
    /// follows the process's random hash seed; it does not change the verdict or a complete
    /// error list, but it does decide where a limit is first hit and so which errors are found
    /// before evaluation stops. ``CompiledSchema`` re-runs in this order when a limit was hit.
    var sortsMembers = false
    var errors: [ValidationError] = []
    /// Above 0 inside subschemas whose failures are not errors (`anyOf` branches, `not`, `if`).
    private var silence = 0
    private var path: [PathSegment] = []
    private var frames: [Annotations] = []
    private var dynamicScope: [Int] = []
    private var depth = 0
    private var instanceDepth = 0
    private var steps = 0
    /// ICU progress reports left for this validation (see ``ECMARegex/maximumICUProgressReports``).
    private var icuBudget = ECMARegex.maximumICUProgressReports
    private let stack: StackGuard
    /// The first limit hit (depth, stack, steps, pattern input). Sticky: once set, every further
    /// evaluation fails and the whole instance is invalid, even inside `not` (fail closed).
    private(set) var limitError: ValidationError?

    init(program: ExecutableProgram, options: SchemaOptions, mode: Mode) {
        self.program = program
        self.options = options
        self.mode = mode
        stack = StackGuard(budget: options.maxStackBytes)
    }

    private var recording: Bool { silence == 0 && mode != .verdict }
    private var stopsEarly: Bool { silence > 0 || mode != .allErrors }

    // MARK: errors

    private mutating func fail(_ at: Int, _ message: @autoclosure () -> String) -> Bool {
        if recording {
            errors.append(
                ValidationError(
                    instanceLocation: instancePointer, schemaLocation: program.locations[at], message: message()))
        }
        return false
    }

    /// Records that a limit was hit and fails. Unlike ``fail(_:_:)`` this is never silenced:
    /// the caller reports it even if it happened inside `not`, `anyOf` or `if`.
    private mutating func exceedLimit(_ at: Int, _ message: String) -> Bool {
        if limitError == nil {
            limitError = ValidationError(
                instanceLocation: instancePointer, schemaLocation: program.locations[at], message: message)
        }
        return false
    }

    private var instancePointer: String {
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
    private mutating func evaluate(_ start: Int, _ end: Int, _ instance: JSONValue, collect: Bool) -> Bool {
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
    private mutating func validateChild(_ index: Int, _ value: JSONValue, key: String) -> Bool {
        guard recording else { return validateChild(index, value) }
        path.append(.key(key))
        defer { path.removeLast() }
        return validateChild(index, value)
    }

    /// Validates the element at `offset` of the instance.
    @inline(__always)
    private mutating func validateChild(_ index: Int, _ value: JSONValue, offset: Int) -> Bool {
        guard recording else { return validateChild(index, value) }
        path.append(.index(offset))
        defer { path.removeLast() }
        return validateChild(index, value)
    }

    /// Validates a member or element (its path segment already pushed when recording).
    private mutating func validateChild(_ index: Int, _ value: JSONValue) -> Bool {
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
        return validate(index, value, collect: false)
    }

    /// Evaluates `index` without reporting its errors; with `collect`, returns its annotations.
    private mutating func probe(_ index: Int, _ instance: JSONValue, collect: Bool) -> (Bool, Annotations?) {
        silence += 1
        defer { silence -= 1 }
        if !collect { return (validate(index, instance, collect: false), nil) }
        frames.append(Annotations())
        let valid = validate(index, instance, collect: true)
        return (valid, frames.removeLast())
    }

    private mutating func probeChild(_ index: Int, _ value: JSONValue) -> Bool {
        silence += 1
        defer { silence -= 1 }
        return validateChild(index, value, offset: 0)
    }

    private mutating func annotate(_ update: (inout Annotations) -> Void) {
        update(&frames[frames.count - 1])
    }

    private mutating func matches(_ regex: ECMARegex, _ text: String) -> Bool? {
        // A string has at most as many UTF-16 units as UTF-8 bytes, and the byte count is stored:
        // the UTF-16 units are counted only for strings long enough to matter.
        let limit = options.maxPatternInputLength
        if text.utf8.count > limit && text.utf16.count > limit { return nil }
        return regex.matches(text, budget: &icuBudget)
    }

    /// Why `regex` could not decide on `text` (`what` names the text): too long to run on, or
    /// too much backtracking.
    private func patternLimitMessage(_ what: String, _ text: String, _ regex: ECMARegex) -> String {
        let units = text.utf16.count
        let limit = options.maxPatternInputLength
        if units > limit {
            return "\(what) of \(units) UTF-16 units is longer than the \(limit) that patterns are checked on"
        }
        return "pattern /\(regex.source)/ backtracked too long on a \(what) of \(units) UTF-16 units"
    }

    // MARK: keywords

    /// Dispatches one keyword. Kept small: it is on the recursion path, so its stack frame
    /// (large in debug builds if every keyword's code lived here) bounds how deep validation goes.
    private mutating func check(_ keyword: Keyword, _ instance: JSONValue, collect: Bool) -> Bool {
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
        case .contains(let node, let minimum, let maximum, let at):
            return checkContains(node, minimum, maximum, at, instance, collect: collect)
        case .allOf(let box, _):
            return checkAllOf(box, instance, collect: collect)
        case .anyOf(let box, let at):
            return checkAnyOf(box, at, instance, collect: collect)
        case .oneOf(let box, let at):
            return checkOneOf(box, at, instance, collect: collect)
        case .not(let node, let at):
            return checkNot(node, at, instance, collect: collect)
        case .conditional(let condition, let then, let otherwise, _):
            return checkConditional(condition, then, otherwise, instance, collect: collect)
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

    /// Keywords that test the instance itself (no subschemas).
    private mutating func checkAssertion(_ keyword: Keyword, _ instance: JSONValue) -> Bool {
        switch keyword {
        case .alwaysInvalid(let at):
            return fail(at, "no value is allowed here (the schema is false)")
        case .type(let types, let at):
            if types.contains(typeOf: instance) { return true }
            return fail(at, "expected \(types.names.joined(separator: " or ")), got \(instance.typeName)")
        case .enumeration(let box, let at):
            if box.read({ $0.contains(instance) }) { return true }
            let values = box.object.values
            return fail(
                at, "expected one of \(SchemaEvaluator.brief(.array(values))), got \(SchemaEvaluator.brief(instance))")
        case .constant(let box, let at):
            if box.read({ $0.contains(instance) }) { return true }
            let value = box.object.values[0]
            return fail(at, "expected \(SchemaEvaluator.brief(value)), got \(SchemaEvaluator.brief(instance))")
        case .multipleOf(let box, let at):
            guard case .number(let number) = instance, !box.read({ number.isMultiple(of: $0.value) }) else {
                return true
            }
            let step = box.object.value
            return fail(at, "expected a multiple of \(step), got \(number)")
        case .maximum(let box, let at):
            guard case .number(let number) = instance, box.read({ limit in number > limit.value }) else { return true }
            let limit = box.object.value
            return fail(at, "expected number at most \(limit), got \(number)")
        case .exclusiveMaximum(let box, let at):
            guard case .number(let number) = instance, box.read({ limit in number >= limit.value }) else { return true }
            let limit = box.object.value
            return fail(at, "expected number less than \(limit), got \(number)")
        case .minimum(let box, let at):
            guard case .number(let number) = instance, box.read({ limit in number < limit.value }) else { return true }
            let limit = box.object.value
            return fail(at, "expected number at least \(limit), got \(number)")
        case .exclusiveMinimum(let box, let at):
            guard case .number(let number) = instance, box.read({ limit in number <= limit.value }) else { return true }
            let limit = box.object.value
            return fail(at, "expected number greater than \(limit), got \(number)")
        case .maxLength(let limit, let at):
            guard case .string(let text) = instance, text.utf8.count > limit else { return true }
            let length = text.unicodeScalars.count
            if length <= limit { return true }
            return fail(at, "expected string of at most \(plural(limit, "character")), got \(length)")
        case .minLength(let limit, let at):
            guard case .string(let text) = instance else { return true }
            // A scalar is 1 to 4 UTF-8 bytes: counting scalars is needed only in between.
            let bytes = text.utf8.count
            if (bytes + 3) / 4 >= limit { return true }
            if bytes >= limit && text.unicodeScalars.count >= limit { return true }
            return fail(
                at, "expected string of at least \(plural(limit, "character")), got \(text.unicodeScalars.count)")
        case .pattern(let borrowed, let at):
            let regex = borrowed.object
            guard case .string(let text) = instance else { return true }
            switch matches(regex, text) {
            case true: return true
            case false:
                return fail(at, "expected string matching /\(regex.source)/, got \(SchemaEvaluator.brief(instance))")
            case nil:
                return exceedLimit(at, patternLimitMessage("string", text, regex))
            }
        case .format(let format, let at):
            guard case .string(let text) = instance, !format.accepts(text) else { return true }
            return fail(at, "expected a valid \(format.rawValue), got \(SchemaEvaluator.brief(instance))")
        case .maxItems(let limit, let at):
            guard case .array(let items) = instance, items.count > limit else { return true }
            return fail(at, "expected array of at most \(plural(limit, "item")), got \(items.count)")
        case .minItems(let limit, let at):
            guard case .array(let items) = instance, items.count < limit else { return true }
            return fail(at, "expected array of at least \(plural(limit, "item")), got \(items.count)")
        case .uniqueItems(let at):
            guard case .array(let items) = instance, let (first, second) = SchemaEvaluator.duplicate(in: items) else {
                return true
            }
            return fail(at, "expected unique items, but items \(first) and \(second) are equal")
        case .maxProperties(let limit, let at):
            guard case .object(let members) = instance, members.count > limit else { return true }
            return fail(at, "expected object with at most \(plural(limit, "property")), got \(members.count)")
        case .minProperties(let limit, let at):
            guard case .object(let members) = instance, members.count < limit else { return true }
            return fail(at, "expected object with at least \(plural(limit, "property")), got \(members.count)")
        case .required(let box, let at):
            let names = box.object.value
            guard case .object(let members) = instance else { return true }
            var valid = true
            for name in names where members[name] == nil {
                valid = fail(at, "missing required property \"\(name)\"")
                if stopsEarly { return false }
            }
            return valid
        case .dependentRequired(let box, let at):
            let dependencies = box.object.value
            guard case .object(let members) = instance else { return true }
            var valid = true
            for (property, required) in dependencies where members[property] != nil {
                for name in required where members[name] == nil {
                    valid = fail(at, "property \"\(property)\" requires property \"\(name)\"")
                    if stopsEarly { return false }
                }
            }
            return valid
        default:
            return true
        }
    }

    private mutating func checkMembers(_ borrowed: Borrowed<MemberRules>, _ instance: JSONValue, collect: Bool) -> Bool
    {
        guard case .object(let members) = instance else { return true }
        return borrowed.read { rules in checkMembers(rules, members, collect: collect) }
    }

    private mutating func checkPropertyNames(_ node: Int, _ at: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        guard case .object(let members) = instance else { return true }
        var valid = true
        if sortsMembers {
            for name in members.keys.sorted() where !probe(node, .string(name), collect: false).0 {
                valid = fail(at, "invalid property name \"\(name)\"")
                if stopsEarly { return false }
            }
        } else {
            for name in members.keys where !probe(node, .string(name), collect: false).0 {
                valid = fail(at, "invalid property name \"\(name)\"")
                if stopsEarly { return false }
            }
        }
        return valid
    }

    private mutating func checkDependentSchemas(
        _ box: Borrowed<Box<[(property: String, node: Int)]>>, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        let dependencies = box.object.value
        guard case .object(let members) = instance else { return true }
        var valid = true
        for (property, node) in dependencies where members[property] != nil {
            if !validate(node, instance, collect: collect) {
                valid = false
                if stopsEarly { return false }
            }
        }
        return valid
    }

    private mutating func checkPrefixItems(_ box: Borrowed<Box<[Int]>>, _ instance: JSONValue, collect: Bool) -> Bool {
        let nodes = box.object.value
        guard case .array(let items) = instance else { return true }
        var valid = true
        for offset in 0..<min(nodes.count, items.count)
        where !validateChild(nodes[offset], items[offset], offset: offset) {
            valid = false
            if stopsEarly { return false }
        }
        if collect { annotate { $0.itemPrefix = max($0.itemPrefix, min(nodes.count, items.count)) } }
        return valid
    }

    private mutating func checkItems(_ start: Int, _ node: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        guard case .array(let items) = instance else { return true }
        var valid = true
        // Elements are borrowed from the array's buffer rather than copied out one by one.
        items.withUnsafeBufferPointer { buffer in
            var offset = start
            while offset < buffer.count {
                if !validateChild(node, buffer[offset], offset: offset) {
                    valid = false
                    if stopsEarly { return }
                }
                offset += 1
            }
        }
        if collect && valid && items.count > start { annotate { $0.allItems = true } }
        return valid
    }

    private mutating func checkContains(
        _ node: Int, _ minimum: Int, _ maximum: Int?, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        if minimum == 0 && maximum == nil && !collect { return true }
        var count = 0
        var matched: Set<Int> = []
        for (offset, item) in items.enumerated() where probeChild(node, item) {
            count += 1
            if collect {
                matched.insert(offset)
            } else if maximum == nil && count >= minimum {
                break
            } else if let maximum, count > maximum {
                break
            }
        }
        if collect { annotate { $0.containsIndices.formUnion(matched) } }
        if count < minimum {
            return fail(
                at, "expected at least \(plural(minimum, "item")) matching the contains schema, got \(count)")
        }
        if let maximum, count > maximum {
            return fail(
                at, "expected at most \(plural(maximum, "item")) matching the contains schema, got \(count)")
        }
        return true
    }

    private mutating func checkAllOf(_ box: Borrowed<Box<[Int]>>, _ instance: JSONValue, collect: Bool) -> Bool {
        var valid = true
        for node in box.read({ $0.value }) where !validate(node, instance, collect: collect) {
            valid = false
            if stopsEarly { return false }
        }
        return valid
    }

    private mutating func checkAnyOf(_ box: Borrowed<Box<[Int]>>, _ at: Int, _ instance: JSONValue, collect: Bool)
        -> Bool
    {
        let nodes = box.object.value
        var valid = false
        for node in nodes {
            let (matched, annotations) = probe(node, instance, collect: collect)
            if matched {
                valid = true
                guard let annotations else { break }
                annotate { $0.merge(annotations) }
            }
        }
        return valid ? true : fail(at, "expected to match at least one schema in anyOf, matched none")
    }

    private mutating func checkOneOf(_ box: Borrowed<Box<[Int]>>, _ at: Int, _ instance: JSONValue, collect: Bool)
        -> Bool
    {
        let nodes = box.object.value
        // The first match in a local (a second one fails at once): an array of matches cost a
        // heap allocation per valid instance.
        var first: Int?
        var kept: Annotations?
        for (offset, node) in nodes.enumerated() {
            let (matched, annotations) = probe(node, instance, collect: collect)
            guard matched else { continue }
            guard let first else {
                first = offset
                kept = annotations
                continue
            }
            return fail(
                at, "expected to match exactly one schema in oneOf, matched schemas \(first) and \(offset)")
        }
        guard first != nil else {
            return fail(at, "expected to match exactly one schema in oneOf, matched none")
        }
        if let kept { annotate { $0.merge(kept) } }
        return true
    }

    private mutating func checkNot(_ node: Int, _ at: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        if !probe(node, instance, collect: false).0 { return true }
        return fail(at, "expected not to match the schema in not")
    }

    private mutating func checkConditional(
        _ condition: Int, _ then: Int?, _ otherwise: Int?, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        if then == nil && otherwise == nil && !collect { return true }
        let (matched, annotations) = probe(condition, instance, collect: collect)
        if matched, let annotations { annotate { $0.merge(annotations) } }
        guard let branch = matched ? then : otherwise else { return true }
        return validate(branch, instance, collect: collect)
    }

    private mutating func checkReference(_ node: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        return validate(node, instance, collect: collect)
    }

    private mutating func checkDynamicReference(
        _ node: Int, _ box: Borrowed<Box<String>>, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        let anchor = box.object.value
        var target = node
        for resource in dynamicScope {
            if let anchored = program.dynamicAnchors[resource][anchor] {
                target = anchored
                break
            }
        }
        return validate(target, instance, collect: collect)
    }

    private mutating func checkUnevaluatedProperties(
        _ node: Int, _ isFalse: Bool, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        guard case .object(let members) = instance else { return true }
        let seen = frames[frames.count - 1]
        if seen.allProperties { return true }
        var valid = true
        func visit(_ evaluator: inout SchemaEvaluator, _ name: String, _ value: JSONValue) -> Bool {
            seen.properties.contains(name)
                || (isFalse
                    ? evaluator.fail(at, "unexpected property \"\(name)\"")
                    : evaluator.validateChild(node, value, key: name))
        }
        if sortsMembers {
            for (name, value) in members.sorted(by: { $0.key < $1.key }) where !visit(&self, name, value) {
                valid = false
                if stopsEarly { return false }
            }
        } else {
            for (name, value) in members where !visit(&self, name, value) {
                valid = false
                if stopsEarly { return false }
            }
        }
        if valid { annotate { $0.allProperties = true } }
        return valid
    }

    private mutating func checkUnevaluatedItems(
        _ node: Int, _ isFalse: Bool, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        let seen = frames[frames.count - 1]
        if seen.allItems { return true }
        var valid = true
        for offset in seen.itemPrefix..<max(seen.itemPrefix, items.count)
        where !seen.containsIndices.contains(offset) {
            let passed =
                isFalse
                ? fail(at, "unexpected item at index \(offset)")
                : validateChild(node, items[offset], offset: offset)
            if !passed {
                valid = false
                if stopsEarly { return false }
            }
        }
        if valid { annotate { $0.allItems = true } }
        return valid
    }

    private mutating func checkMembers(_ rules: MemberRules, _ members: [String: JSONValue], collect: Bool) -> Bool {
        var valid = true
        var requiredFound = 0
        // Small instances are scanned (no hashing); a large instance against a short `properties`
        // list is probed by name instead.
        if rules.patternProperties.isEmpty && rules.additionalProperties == nil && !collect
            && members.count > 16 && members.count > rules.propertyList.count
        {
            // Only `properties`: walk the schema's (shorter) list.
            for property in rules.propertyList {
                guard let value = members[property.name] else { continue }
                if property.isRequired { requiredFound += 1 }
                if !validateChild(property.node, value, key: property.name) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        } else if sortsMembers {
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                if !checkMember(rules, name, value, collect: collect, &requiredFound) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        } else {
            for (name, value) in members {
                if !checkMember(rules, name, value, collect: collect, &requiredFound) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        }
        if requiredFound < rules.requiredNames.count {
            for name in rules.requiredNames where members[name] == nil {
                valid = fail(rules.requiredLocation, "missing required property \"\(name)\"")
                if stopsEarly { return false }
            }
        }
        if collect && rules.additionalProperties != nil { annotate { $0.allProperties = true } }
        return valid
    }

    /// One member against `properties`, `patternProperties` and `additionalProperties`, and
    /// its annotation when `collect`.
    @inline(__always)
    private mutating func checkMember(
        _ rules: MemberRules, _ name: String, _ value: JSONValue, collect: Bool, _ requiredFound: inout Int
    ) -> Bool {
        var matched = false
        let valid = checkMember(rules, name, value, &matched, &requiredFound)
        if collect && matched && rules.additionalProperties == nil { annotate { $0.properties.insert(name) } }
        return valid
    }

    @inline(__always)
    private mutating func checkMember(
        _ rules: MemberRules, _ name: String, _ value: JSONValue, _ matched: inout Bool, _ requiredFound: inout Int
    ) -> Bool {
        var valid = true
        if let offset = rules.propertyOffset(named: name) {
            matched = true
            let (node, isRequired) = (rules.propertyList[offset].node, rules.propertyList[offset].isRequired)
            if isRequired { requiredFound += 1 }
            if !validateChild(node, value, key: name) {
                valid = false
                if stopsEarly { return false }
            }
        }
        if !rules.patternProperties.isEmpty && !checkPatternProperties(rules, name, value, &matched) {
            valid = false
            if stopsEarly { return false }
        }
        if !matched, let additional = rules.additionalProperties {
            let passed =
                rules.additionalIsFalse
                ? fail(rules.additionalLocation, "unexpected property \"\(name)\"")
                : validateChild(additional, value, key: name)
            if !passed { valid = false }
        }
        return valid
    }

    /// `patternProperties` for one member.
    private mutating func checkPatternProperties(
        _ rules: MemberRules, _ name: String, _ value: JSONValue, _ matched: inout Bool
    ) -> Bool {
        var valid = true
        for (regex, node) in rules.patternProperties {
            guard let isMatch = matches(regex, name) else {
                return exceedLimit(rules.patternLocation, patternLimitMessage("property name", name, regex))
            }
            guard isMatch else { continue }
            matched = true
            if !validateChild(node, value, key: name) {
                valid = false
                if stopsEarly { return false }
            }
        }
        return valid
    }

    /// Offsets of the first pair of equal items, if any.
    static func duplicate(in items: [JSONValue]) -> (Int, Int)? {
        if items.count <= 16 {
            for first in items.indices {
                for second in (first + 1)..<items.count where items[first] == items[second] { return (first, second) }
            }
            return nil
        }
        var seen: [JSONValue: Int] = [:]
        for (offset, item) in items.enumerated() {
            if let earlier = seen.updateValue(offset, forKey: item) { return (earlier, offset) }
        }
        return nil
    }
}

/// `1 item`, `2 items`, `1 property`, `3 properties`.
private func plural(_ count: Int, _ noun: String) -> String {
    if count == 1 { return "1 \(noun)" }
    return "\(count) " + (noun.hasSuffix("y") ? noun.dropLast() + "ies" : noun + "s")
}
