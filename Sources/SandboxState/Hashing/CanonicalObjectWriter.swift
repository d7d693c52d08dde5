import JSON

/// Writes one canonical JSON object straight into bytes, member by member, for records whose
/// keys are known in advance: the caller passes the members in sorted key order (byte order,
/// which is `String`'s order for the ASCII keys used here), so no dictionary is built and
/// nothing is sorted. The bytes are exactly what ``CanonicalJSON`` writes for the same object
/// (the tests hold the decision record equal to it).
struct CanonicalObjectWriter: ~Copyable {
    private var bytes: ByteSink
    /// Bit n: no member written yet at nesting depth n (a bit set, not an array: no heap
    /// access per member).
    private var first: UInt64 = 1
    private var depth = 0
    #if DEBUG
        private var lastKeys: [String] = [""]
    #endif

    /// Starts writing after `prefix` (bytes that come before the object, e.g. a record header).
    init(prefix: [UInt8] = [], capacity: Int = 1024) {
        bytes = ByteSink(prefix: prefix, capacity: capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Member names are literals of plain ASCII (no character JSON escapes), so they are copied
    /// as they are: the escaping writer cost a third of the record's writing.
    private mutating func key(_ key: StaticString) {
        #if DEBUG
            let name = key.description
            precondition(lastKeys[lastKeys.count - 1] < name, "members out of order: \(name)")
            let plain = !name.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
            precondition(key.isASCII && plain, "member name needs escaping: \(name)")
            lastKeys[lastKeys.count - 1] = name
        #endif
        let bit: UInt64 = 1 << UInt64(depth)
        if first & bit != 0 {
            first &= ~bit
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        CanonicalJSON.writeString(value, to: &bytes)
    }

    mutating func integer(_ name: StaticString, _ value: UInt64) {
        key(name)
        CanonicalJSON.writeInteger(Int64(bitPattern: value), to: &bytes)
    }

    mutating func integer(_ name: StaticString, _ value: UInt32) { integer(name, UInt64(value)) }

    mutating func value(_ name: StaticString, _ value: JSONValue) {
        key(name)
        CanonicalJSON.write(value, to: &bytes)
    }

    /// A member whose value is already canonical JSON text.
    mutating func canonical(_ name: StaticString, _ text: [UInt8]) {
        key(name)
        bytes.append(text)
    }

    /// A nested object: its members are written by `body`, in sorted order too.
    mutating func object(_ name: StaticString, _ body: (inout CanonicalObjectWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        precondition(depth < 64, "objects nested deeper than 63 levels")
        first |= 1 << UInt64(depth)
        #if DEBUG
            lastKeys.append("")
        #endif
        body(&self)
        depth -= 1
        #if DEBUG
            lastKeys.removeLast()
        #endif
        bytes.append(UInt8(ascii: "}"))
    }

    /// Closes the object; returns every byte written (the prefix included).
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes.bytes
    }
}
