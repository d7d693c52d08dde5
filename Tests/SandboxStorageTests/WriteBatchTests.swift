import TestSupport
import Testing

@testable import SandboxStorage

/// A writer lays its operations out in RocksDB's own batch format; RocksDB must read back exactly
/// what was put, in the default family (no family id in the record) and in another one, with
/// lengths whose varint takes one, two and three bytes, after operations added one by one.
@Suite struct WriteBatchTests {
    let directory = TemporaryDirectory("write-batch")

    /// Keys and values of 0 to 20,000 bytes, each distinct.
    private let pairs: [(key: [UInt8], value: [UInt8])] = [0, 1, 127, 128, 300, 16_383, 16_384, 20_000].enumerated().map
    {
        number, length in
        let key = [UInt8]("key-\(number)-") + [UInt8](repeating: UInt8(number), count: length)
        return (key, [UInt8](repeating: UInt8(truncatingIfNeeded: length), count: length))
    }

    @Test(arguments: [ColumnFamily.meta, .stateA])
    func operationsLaidOutInSwiftReadBackAsWritten(family: ColumnFamily) throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        let batch = WriteBatch(for: storage.database)
        try batch.put([UInt8]("before"), [UInt8]("one by one"), in: family)
        try batch.withFamily(family) { writer in
            for pair in pairs {
                pair.key.withUnsafeBytes { key in
                    pair.value.withUnsafeBytes { writer.put(prefix: 0x7A, key: key, value: $0) }
                }
            }
            writer.put(key: [UInt8]("plain"), value: [UInt8]("value"))
            pairs[3].key.withUnsafeBytes { writer.delete(prefix: 0x7A, key: $0) }
        }
        try batch.put([UInt8]("after"), [UInt8]("one by one too"), in: family)
        #expect(batch.count == pairs.count + 4)
        try storage.database.write(batch, durability: .synced)

        for (number, pair) in pairs.enumerated() {
            let stored = try storage.database.get([0x7A] + pair.key, in: family)
            #expect(stored == (number == 3 ? nil : pair.value), "pair \(number)")
        }
        #expect(try storage.database.get([UInt8]("plain"), in: family) == [UInt8]("value"))
        #expect(try storage.database.get([UInt8]("before"), in: family) == [UInt8]("one by one"))
        #expect(try storage.database.get([UInt8]("after"), in: family) == [UInt8]("one by one too"))
    }
}
