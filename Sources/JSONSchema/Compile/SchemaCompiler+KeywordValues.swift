import JSON

extension SchemaCompiler {
    // MARK: keyword values

    /// Keeps `object` alive for the program's lifetime and returns an uncounted reference to it.
    mutating func keep<Object: AnyObject & Sendable>(_ object: Object) -> Borrowed<Object> {
        program.objects.append(object)
        return Borrowed(object)
    }

    func nonNegativeInteger(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError) -> Int? {
        guard let value = builder.members[keyword] else { return nil }
        if let count = SchemaCompiler.count(value) { return count }
        throw error(builder.place, keyword, "expected a non-negative integer, got \(value.serialized())")
    }

    /// `value` as a non-negative count (integers beyond `Int` clamp to `Int.max`), or nil.
    static func count(_ value: JSONValue) -> Int? {
        guard let number = value.numberValue, number.isInteger, number >= JSONNumber(0) else { return nil }
        if let exact = number.int64Value { return Int(clamping: exact) }
        return Int.max
    }

    func number(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError) -> JSONNumber? {
        guard let value = builder.members[keyword] else { return nil }
        guard case .number(let number) = value else {
            throw error(builder.place, keyword, "expected a number, got \(value.serialized())")
        }
        return number
    }

    func stringArray(_ value: JSONValue, _ builder: KeywordBuilder, _ keyword: String)
        throws(SchemaCompileError)
        -> [String]
    {
        guard case .array(let elements) = value else {
            throw error(builder.place, keyword, "expected an array of strings, got \(value.typeName)")
        }
        var strings: [String] = []
        for element in elements {
            guard let text = element.stringValue else {
                throw error(builder.place, keyword, "expected an array of strings, found \(element.serialized())")
            }
            strings.append(text)
        }
        return strings
    }

    mutating func subschema(_ builder: KeywordBuilder, _ tokens: String...) throws(SchemaCompileError) -> Int {
        var place = builder.place
        for token in tokens { place.pointer += "/" + JSONPointer.escape(token) }
        let value = JSONPointer.resolve(JSONPointer.tokens(place.pointer)!, in: documents[place.document].value)!
        switch value {
        case .object, .bool: return node(at: place)
        default:
            throw error(place, nil, "expected a schema (an object or a boolean), got \(value.typeName)")
        }
    }

    mutating func subschemaArray(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError)
        -> [Int]?
    {
        guard let value = builder.members[keyword] else { return nil }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw error(builder.place, keyword, "expected a non-empty array of schemas")
        }
        var nodes: [Int] = []
        for offset in elements.indices { nodes.append(try subschema(builder, keyword, String(offset))) }
        return nodes
    }

    mutating func subschemaMap(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError)
        -> [(String, Int)]?
    {
        guard let value = builder.members[keyword] else { return nil }
        guard case .object(let entries) = value else {
            throw error(builder.place, keyword, "expected an object whose values are schemas")
        }
        var result: [(String, Int)] = []
        for name in entries.keys.sorted() { result.append((name, try subschema(builder, keyword, name))) }
        return result
    }
}
