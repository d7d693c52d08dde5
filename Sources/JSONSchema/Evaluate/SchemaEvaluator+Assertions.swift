import JSON

extension SchemaEvaluator {
    /// Keywords that test the instance itself (no subschemas). The common passing checks are
    /// decided here; failures (which build messages) and the costlier keywords are outlined, so
    /// that this function stays small on the path every keyword takes.
    mutating func checkAssertion(_ keyword: Keyword, _ instance: JSONValue) -> Bool {
        switch keyword {
        case .type(let types, let at):
            return types.contains(typeOf: instance) || failType(types, at, instance)
        case .enumeration(let box, let at):
            return box.read({ $0.contains(instance) }) || failEnumeration(box, at, instance)
        case .constant(let box, let at):
            return box.read({ $0.contains(instance) }) || failConstant(box, at, instance)
        case .maxLength(let limit, _), .minLength(let limit, _):
            guard case .string(let text) = instance else { return true }
            if case .maxLength = keyword, text.utf8.count <= limit { return true }
            // A scalar is 1 to 4 UTF-8 bytes: counting scalars is needed only in between.
            if case .minLength = keyword, (text.utf8.count + 3) / 4 >= limit { return true }
            return checkLength(keyword, text)
        case .pattern(let borrowed, let at):
            guard case .string(let text) = instance else { return true }
            return checkPattern(borrowed, at, text, instance)
        case .format(let format, let at):
            guard case .string(let text) = instance else { return true }
            return format.accepts(text) || failFormat(format, at, instance)
        case .multipleOf, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum:
            guard case .number(let number) = instance else { return true }
            // Integers and short fractions (nearly all numbers) against such bounds: in place.
            if let scaled = number.scaled, let passed = SchemaEvaluator.checkNumber(keyword, scaled) {
                return passed || failNumber(keyword, instance)
            }
            return SchemaEvaluator.checkNumber(keyword, number) || failNumber(keyword, instance)
        case .maxItems, .minItems, .uniqueItems:
            guard case .array(let items) = instance else { return true }
            return checkArray(keyword, items)
        case .maxProperties, .minProperties, .required, .dependentRequired:
            guard case .object(let members) = instance else { return true }
            return checkObject(keyword, members)
        case .alwaysInvalid(let at):
            return fail(at, "no value is allowed here (the schema is false)")
        default:
            return true
        }
    }

    /// Whether the number `scaled` (significand × 10^exponent) passes `multipleOf`, `maximum`,
    /// `exclusiveMaximum`, `minimum` or `exclusiveMinimum`; nil if integer arithmetic cannot tell.
    @inline(__always)
    private static func checkNumber(_ keyword: Keyword, _ scaled: (significand: Int64, exponent: Int)) -> Bool? {
        switch keyword {
        case .multipleOf(let bound, _): return bound.read { $0.divides(scaled: scaled) }
        case .maximum(let bound, _): return bound.read { $0.compare(scaled: scaled) }.map { $0 <= 0 }
        case .exclusiveMaximum(let bound, _): return bound.read { $0.compare(scaled: scaled) }.map { $0 < 0 }
        case .minimum(let bound, _): return bound.read { $0.compare(scaled: scaled) }.map { $0 >= 0 }
        case .exclusiveMinimum(let bound, _): return bound.read { $0.compare(scaled: scaled) }.map { $0 > 0 }
        default: return true
        }
    }

    /// The same for any number (long decimals, large exponents).
    @inline(never)
    private static func checkNumber(_ keyword: Keyword, _ number: JSONNumber) -> Bool {
        switch keyword {
        case .multipleOf(let bound, _): return number.isMultiple(of: bound.object.value)
        case .maximum(let bound, _): return number <= bound.object.value
        case .exclusiveMaximum(let bound, _): return number < bound.object.value
        case .minimum(let bound, _): return number >= bound.object.value
        case .exclusiveMinimum(let bound, _): return number > bound.object.value
        default: return true
        }
    }

    @inline(never)
    private mutating func failNumber(_ keyword: Keyword, _ instance: JSONValue) -> Bool {
        guard case .number(let number) = instance else { return true }
        return switch keyword {
        case .multipleOf(let box, let at): fail(at, "expected a multiple of \(box.object.value), got \(number)")
        case .maximum(let box, let at): fail(at, "expected number at most \(box.object.value), got \(number)")
        case .exclusiveMaximum(let box, let at):
            fail(at, "expected number less than \(box.object.value), got \(number)")
        case .minimum(let box, let at): fail(at, "expected number at least \(box.object.value), got \(number)")
        case .exclusiveMinimum(let box, let at):
            fail(at, "expected number greater than \(box.object.value), got \(number)")
        default: true
        }
    }

    @inline(never)
    private mutating func failType(_ types: TypeSet, _ at: Int, _ instance: JSONValue) -> Bool {
        fail(at, "expected \(types.names.joined(separator: " or ")), got \(instance.typeName)")
    }

    @inline(never)
    private mutating func failEnumeration(_ box: Borrowed<EnumValues>, _ at: Int, _ instance: JSONValue) -> Bool {
        fail(
            at,
            "expected one of \(SchemaEvaluator.brief(.array(box.object.values))), got \(SchemaEvaluator.brief(instance))"
        )
    }

    @inline(never)
    private mutating func failConstant(_ box: Borrowed<EnumValues>, _ at: Int, _ instance: JSONValue) -> Bool {
        fail(at, "expected \(SchemaEvaluator.brief(box.object.values[0])), got \(SchemaEvaluator.brief(instance))")
    }

    @inline(never)
    private mutating func failFormat(_ format: Format, _ at: Int, _ instance: JSONValue) -> Bool {
        fail(at, "expected a valid \(format.rawValue), got \(SchemaEvaluator.brief(instance))")
    }

    /// `maxLength` and `minLength` (in code points) when the byte count does not decide.
    @inline(never)
    private mutating func checkLength(_ keyword: Keyword, _ text: String) -> Bool {
        switch keyword {
        case .maxLength(let limit, let at):
            let length = text.unicodeScalars.count
            if length <= limit { return true }
            return fail(at, "expected string of at most \(plural(limit, "character")), got \(length)")
        case .minLength(let limit, let at):
            // Fewer bytes than the limit: fewer scalars too (counted only for the message).
            if text.utf8.count >= limit && text.unicodeScalars.count >= limit { return true }
            return fail(
                at, "expected string of at least \(plural(limit, "character")), got \(text.unicodeScalars.count)")
        default:
            return true
        }
    }

    @inline(never)
    private mutating func checkPattern(
        _ borrowed: Borrowed<ECMARegex>, _ at: Int, _ text: String, _ instance: JSONValue
    ) -> Bool {
        switch borrowed.read({ matches($0, text) }) {
        case true: return true
        case false:
            let source = borrowed.object.source
            return fail(at, "expected string matching /\(source)/, got \(SchemaEvaluator.brief(instance))")
        case nil:
            return exceedLimit(at, patternLimitMessage("string", text, borrowed.object))
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
    private mutating func checkObject(_ keyword: Keyword, _ members: JSONObject) -> Bool {
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
