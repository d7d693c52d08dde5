import JSON

extension SchemaEvaluator {
    /// Keywords that test the instance itself (no subschemas), by the kind of value they test.
    mutating func checkAssertion(_ keyword: Keyword, _ instance: JSONValue) -> Bool {
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
        case .multipleOf, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum:
            guard case .number(let number) = instance else { return true }
            return checkNumber(keyword, number)
        case .maxLength, .minLength, .pattern, .format:
            guard case .string(let text) = instance else { return true }
            return checkString(keyword, text, instance)
        case .maxItems, .minItems, .uniqueItems:
            guard case .array(let items) = instance else { return true }
            return checkArray(keyword, items)
        case .maxProperties, .minProperties, .required, .dependentRequired:
            guard case .object(let members) = instance else { return true }
            return checkObject(keyword, members)
        default:
            return true
        }
    }

    /// `multipleOf`, `maximum`, `exclusiveMaximum`, `minimum`, `exclusiveMinimum`.
    @inline(__always)
    private mutating func checkNumber(_ keyword: Keyword, _ number: JSONNumber) -> Bool {
        switch keyword {
        case .multipleOf(let box, let at):
            if box.read({ number.isMultiple(of: $0.value) }) { return true }
            return fail(at, "expected a multiple of \(box.object.value), got \(number)")
        case .maximum(let box, let at):
            if box.read({ number <= $0.value }) { return true }
            return fail(at, "expected number at most \(box.object.value), got \(number)")
        case .exclusiveMaximum(let box, let at):
            if box.read({ number < $0.value }) { return true }
            return fail(at, "expected number less than \(box.object.value), got \(number)")
        case .minimum(let box, let at):
            if box.read({ number >= $0.value }) { return true }
            return fail(at, "expected number at least \(box.object.value), got \(number)")
        case .exclusiveMinimum(let box, let at):
            if box.read({ number > $0.value }) { return true }
            return fail(at, "expected number greater than \(box.object.value), got \(number)")
        default:
            return true
        }
    }

    /// `maxLength`, `minLength` (in code points), `pattern`, `format`.
    @inline(__always)
    private mutating func checkString(_ keyword: Keyword, _ text: String, _ instance: JSONValue) -> Bool {
        switch keyword {
        case .maxLength(let limit, let at):
            guard text.utf8.count > limit else { return true }
            let length = text.unicodeScalars.count
            if length <= limit { return true }
            return fail(at, "expected string of at most \(plural(limit, "character")), got \(length)")
        case .minLength(let limit, let at):
            // A scalar is 1 to 4 UTF-8 bytes: counting scalars is needed only in between.
            let bytes = text.utf8.count
            if (bytes + 3) / 4 >= limit { return true }
            if bytes >= limit && text.unicodeScalars.count >= limit { return true }
            return fail(
                at, "expected string of at least \(plural(limit, "character")), got \(text.unicodeScalars.count)")
        case .pattern(let borrowed, let at):
            let regex = borrowed.object
            switch matches(regex, text) {
            case true: return true
            case false:
                return fail(at, "expected string matching /\(regex.source)/, got \(SchemaEvaluator.brief(instance))")
            case nil:
                return exceedLimit(at, patternLimitMessage("string", text, regex))
            }
        case .format(let format, let at):
            if format.accepts(text) { return true }
            return fail(at, "expected a valid \(format.rawValue), got \(SchemaEvaluator.brief(instance))")
        default:
            return true
        }
    }

    /// `maxItems`, `minItems`, `uniqueItems`.
    @inline(__always)
    private mutating func checkArray(_ keyword: Keyword, _ items: [JSONValue]) -> Bool {
        switch keyword {
        case .maxItems(let limit, let at):
            if items.count <= limit { return true }
            return fail(at, "expected array of at most \(plural(limit, "item")), got \(items.count)")
        case .minItems(let limit, let at):
            if items.count >= limit { return true }
            return fail(at, "expected array of at least \(plural(limit, "item")), got \(items.count)")
        case .uniqueItems(let at):
            guard let (first, second) = SchemaEvaluator.duplicate(in: items) else { return true }
            return fail(at, "expected unique items, but items \(first) and \(second) are equal")
        default:
            return true
        }
    }

    /// `maxProperties`, `minProperties`, `required`, `dependentRequired`.
    @inline(__always)
    private mutating func checkObject(_ keyword: Keyword, _ members: [String: JSONValue]) -> Bool {
        switch keyword {
        case .maxProperties(let limit, let at):
            if members.count <= limit { return true }
            return fail(at, "expected object with at most \(plural(limit, "property")), got \(members.count)")
        case .minProperties(let limit, let at):
            if members.count >= limit { return true }
            return fail(at, "expected object with at least \(plural(limit, "property")), got \(members.count)")
        case .required(let box, let at):
            var valid = true
            for name in box.object.value where members[name] == nil {
                valid = fail(at, "missing required property \"\(name)\"")
                if stopsEarly { return false }
            }
            return valid
        case .dependentRequired(let box, let at):
            var valid = true
            for (property, required) in box.object.value where members[property] != nil {
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
func plural(_ count: Int, _ noun: String) -> String {
    if count == 1 { return "1 \(noun)" }
    return "\(count) " + (noun.hasSuffix("y") ? noun.dropLast() + "ies" : noun + "s")
}
