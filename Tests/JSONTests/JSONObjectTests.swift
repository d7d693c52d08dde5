import TestSupport
import Testing

@testable import JSON

/// `JSONObject` keeps members in document order, looks keys up the same way below and above the
/// size where it keeps an index, and compares, hashes and serializes as a dictionary did.
@Suite struct JSONObjectTests {
    @Test func membersKeepDocumentOrderAndSerializeSorted() throws {
        let value = try JSONValue(parsing: #"{"b": 1, "a": [true], "c": {"z": null, "y": "x"}}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["b", "a", "c"])
        #expect(value.serialized() == #"{"a":[true],"b":1,"c":{"y":"x","z":null}}"#)
        #expect(value.serialized(sortedKeys: false) == #"{"b":1,"a":[true],"c":{"z":null,"y":"x"}}"#)
    }

    @Test func equalityAndHashIgnoreOrder() {
        let forward: JSONObject = ["a": 1, "b": "two", "c": [3]]
        let backward: JSONObject = ["c": [3], "b": "two", "a": 1]
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        #expect(forward != ["a": 1, "b": "two"])
        #expect(forward != ["a": 1, "b": "two", "c": [4]])
        #expect(JSONValue.object(["a": 1]) == JSONValue.object(JSONObject(["a": 1] as [String: JSONValue])))
    }

    /// Random inserts, updates and removals across the indexed size agree with a dictionary.
    @Test(arguments: [1, 2, 3])
    func behavesAsADictionary(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var object = JSONObject()
        var reference: [String: JSONValue] = [:]
        for step in 0..<3_000 {
            let key = "k\(random.below(40))"
            switch random.below(4) {
            case 0:
                #expect(object.removeValue(forKey: key) == reference.removeValue(forKey: key))
            default:
                let value = JSONValue.number(JSONNumber(step))
                #expect(object.updateValue(value, forKey: key) == reference.updateValue(value, forKey: key))
            }
            let probe = "k\(random.below(45))"
            #expect(object[probe] == reference[probe])
            #expect(object.count == reference.count)
        }
        #expect(Set(object.keys) == Set(reference.keys))
        #expect(JSONValue.object(object) == .object(reference))
        #expect(JSONValue.object(object).serialized() == JSONValue.object(reference).serialized())
    }

    @Test func duplicateKeysAreRefusedInLargeObjects() {
        let members = (0..<20).map { #""k\#($0)": \#($0)"# } + [#""k7": 0"#]
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{" + members.joined(separator: ",") + "}") }
        let unique = (0..<20).map { #""k\#($0)": \#($0)"# }
        let parsed = try? JSONValue(parsing: "{" + unique.joined(separator: ",") + "}")
        #expect(parsed?["k19"] == 19)
        #expect(parsed?["k20"] == nil)
    }
}
