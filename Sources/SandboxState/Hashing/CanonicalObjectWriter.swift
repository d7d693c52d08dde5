import JSON

/// Writes one canonical JSON object straight into bytes, member by member, for records whose
/// keys are known in advance: the caller passes the members in sorted key order (byte order,
/// which is `String`'s order for the ASCII keys used here), so no dictionary is built and
/// nothing is sorted. The bytes are exactly what ``CanonicalJSON`` writes for the same object
/// (the tests hold the decision record equal to it).
struct CanonicalObjectWriter {
    private(set) var bytes: [UInt8]
    private var first = [true]
    #if DEBUG
        private var lastKeys: [String] = [""]
    #endif

    /// Starts writing after `prefix` (bytes that come before the object, e.g. a record header).
    init(prefix: [UInt8] = [], capacity: Int = 512) {
        bytes = prefix
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ key: String) {
        #if DEBUG
            precondition(lastKeys[lastKeys.count - 1] < key, "members out of order: \(key)")
            lastKeys[lastKeys.count - 1] = key
        #endif
        if first[first.count - 1] {
            first[first.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        CanonicalJSON.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        CanonicalJSON.writeString(value, to: &bytes)
    }

    mutating func integer(_ name: String, _ value: UInt64) {
        key(name)
        CanonicalJSON.writeInteger(Int64(bitPattern: value), to: &bytes)
    }

    mutating func integer(_ name: String, _ value: UInt32) { integer(name, UInt64(value)) }

    mutating func value(_ name: String, _ value: JSONValue) {
        key(name)
        CanonicalJSON.write(value, to: &bytes)
    }

    /// A nested object: its members are written by `body`, in sorted order too.
    mutating func object(_ name: String, _ body: (inout CanonicalObjectWriter) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        first.append(true)
        #if DEBUG
            lastKeys.append("")
        #endif
        body(&self)
        first.removeLast()
        #if DEBUG
            lastKeys.removeLast()
        #endif
        bytes.append(UInt8(ascii: "}"))
    }

    /// Closes the object; returns every byte written (the prefix included).
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
