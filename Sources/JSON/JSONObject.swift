/// The members of a JSON object, kept in document order: the order the parser read them in, or
/// the order they were added.
///
/// It reads like a `[String: JSONValue]` (`object["name"]`, `count`, `keys`, `for (key, value) in
/// object`, a dictionary literal), but holds its members in one contiguous array, so a pass over
/// them walks memory in order and touches no hash table, and the validator can read a member in
/// place (see ``withMembers(_:)``). Keys are looked up by scanning while there are few of them and
/// through an index built beside the array for larger objects, so a lookup stays cheap either way.
///
/// Keys are Swift `String`s and compare as Swift compares them (canonical equivalence), as a
/// dictionary's keys do; the parser rejects a document with two keys Swift considers equal.
/// Equality and hashing ignore member order (`{"a":1,"b":2} == {"b":2,"a":1}`), and
/// ``JSONValue/serialized(sortedKeys:pretty:)`` sorts keys by default, so the canonical text of an
/// object does not depend on the order its members were added in.
public struct JSONObject: Sendable {
    public typealias Member = (key: String, value: JSONValue)

    /// The members, in order; no two with equal keys.
    @usableFromInline
    private(set) var members: ContiguousArray<Member>
    /// Key → offset in `members`, kept while there are more than ``scanLimit`` members.
    @usableFromInline
    private(set) var index: [String: Int]?

    /// Up to this many members a lookup scans the keys; above it, it goes through `index`.
    @usableFromInline
    static let scanLimit = 8

    public init() {
        members = []
        index = nil
    }

    public init(minimumCapacity: Int) {
        members = []
        members.reserveCapacity(minimumCapacity)
        index = nil
    }

    /// The members of `dictionary`, in the order of their keys (a dictionary's own order follows
    /// the process's hash seed; this one is the same in every process).
    public init(_ dictionary: [String: JSONValue]) {
        self.init(minimumCapacity: dictionary.count)
        for key in dictionary.keys.sorted() { append(key, dictionary[key]!) }
    }

    /// Adds a member whose key the caller knows is not present yet (the parser checks with
    /// ``offset(of:)`` first).
    @usableFromInline
    mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key: key, value: value))
        if index != nil {
            index![key] = members.count - 1
        } else if members.count > JSONObject.scanLimit {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard members.count > JSONObject.scanLimit else {
            index = nil
            return
        }
        var built = [String: Int](minimumCapacity: members.count)
        for offset in members.indices { built[members[offset].key] = offset }
        index = built
    }

    /// The offset in document order of the member named `key`.
    @inlinable
    public func offset(of key: String) -> Int? {
        if let index { return index[key] }
        var offset = 0
        while offset < members.count {
            if members[offset].key == key { return offset }
            offset += 1
        }
        return nil
    }

    /// The value of the member named `key`; setting `nil` removes the member, setting a new key
    /// appends it.
    @inlinable
    public subscript(key: String) -> JSONValue? {
        get {
            guard let offset = offset(of: key) else { return nil }
            return members[offset].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// The value of the member named `key`, or `defaultValue`; writing through it sets the member.
    public subscript(key: String, default defaultValue: @autoclosure () -> JSONValue) -> JSONValue {
        get { self[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// Sets the member named `key` (in place if present, appended if not); returns the old value.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        if let offset = offset(of: key) {
            let old = members[offset].value
            members[offset].value = value
            return old
        }
        append(key, value)
        return nil
    }

    /// Removes the member named `key`; returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let offset = offset(of: key) else { return nil }
        let removed = members.remove(at: offset).value
        if index != nil { rebuildIndex() }
        return removed
    }

    /// The number of members.
    @inlinable
    public var count: Int { members.count }

    @inlinable
    public var isEmpty: Bool { members.isEmpty }

    /// The keys, in document order.
    public var keys: [String] { members.map(\.key) }

    /// The values, in document order.
    public var values: [JSONValue] { members.map(\.value) }

    /// The same keys with transformed values, in the same order.
    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var mapped = self
        for offset in members.indices { mapped.members[offset].value = try transform(members[offset].value) }
        return mapped
    }

    /// A dictionary of the same members (for APIs that take one).
    public var dictionary: [String: JSONValue] {
        var result = [String: JSONValue](minimumCapacity: members.count)
        for member in members { result[member.key] = member.value }
        return result
    }
}

extension JSONObject {
    /// Runs `body` with the members in place, in document order (no member is copied out).
    @inlinable
    package func withMembers<Result>(_ body: (UnsafeBufferPointer<Member>) throws -> Result) rethrows -> Result {
        try members.withUnsafeBufferPointer(body)
    }
}
