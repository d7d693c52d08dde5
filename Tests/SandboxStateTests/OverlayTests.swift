import TestSupport
import Testing

@testable import SandboxState

/// The overlay's prefix scan: the store's pairs with the batch's and the entry's writes laid
/// over them, in key order, as if the writes were stored. The sweeps page through their indexes
/// with it, so a pair it skipped or invented would change what expires.
@Suite struct OverlayTests {
    /// Keys of a few tables sharing long prefixes (so prefixes and `after` cut through them).
    func randomKey(_ random: inout SeededGenerator) -> [UInt8] {
        let tables: [[UInt8]] = [Array("j/".utf8), Array("j/a".utf8), Array("I/".utf8), Array("k".utf8)]
        var key = tables[Int(random.next() % UInt64(tables.count))]
        for _ in 0..<Int(random.next() % 4) { key.append([0, 1, 0x61, 0x62, 0xff][Int(random.next() % 5)]) }
        return key
    }

    /// What the overlay should see: every write applied to a copy of the stored pairs.
    func expectedScan(
        stored: [[UInt8]: [UInt8]], writes: [([UInt8], [UInt8]?)], prefix: [UInt8], after: [UInt8]?, limit: Int
    ) -> [(key: [UInt8], value: [UInt8])] {
        var view = stored
        for (key, value) in writes { view[key] = value }
        return view.filter { pair in
            pair.key.starts(with: prefix) && (after.map { $0.lexicographicallyPrecedes(pair.key) } ?? true)
        }
        .sorted { $0.key.lexicographicallyPrecedes($1.key) }.prefix(limit).map { ($0.key, $0.value) }
    }

    @Test func aScanSeesTheStoreWithTheBatchAndTheEntryLaidOverIt() throws {
        var random = SeededGenerator(seed: 31)
        var checked = 0
        var pendingSeen = 0
        for _ in 0..<300 {
            let storage = MemoryStateStorage()
            var stored: [[UInt8]: [UInt8]] = [:]
            var initial = StateWrites()
            for step in 0..<Int(random.next() % 40) {
                let key = randomKey(&random)
                initial.put(key, [UInt8(truncatingIfNeeded: step)])
                stored[key] = [UInt8(truncatingIfNeeded: step)]
            }
            if !initial.isEmpty { try storage.commit(initial, appliedIndex: 1) }

            var overlay = Overlay(storage: storage)
            var writes: [([UInt8], [UInt8]?)] = []
            // Earlier entries of the batch (kept), then the entry being applied (not kept yet).
            for phase in 0..<2 {
                for step in 0..<Int(random.next() % 12) {
                    let key = randomKey(&random)
                    if random.next() % 3 == 0 {
                        overlay.delete(key)
                        writes.append((key, nil))
                    } else {
                        let value = [0xee, UInt8(phase), UInt8(step)]
                        overlay.put(key, value)
                        writes.append((key, value))
                    }
                }
                if phase == 0 { overlay.keep() }
            }
            for _ in 0..<8 {
                let prefix = randomKey(&random).prefix(Int(random.next() % 4))
                let after = random.next() % 2 == 0 ? randomKey(&random) : nil
                let limit = Int(random.next() % 6)
                let scanned = try overlay.scan(prefix: Array(prefix), after: after, limit: limit)
                let expected = expectedScan(
                    stored: stored, writes: writes, prefix: Array(prefix), after: after, limit: limit)
                #expect(scanned.map(\.key) == expected.map(\.key))
                #expect(scanned.map(\.value) == expected.map(\.value))
                pendingSeen += scanned.filter { $0.value.first == 0xee }.count
                checked += 1
            }
        }
        #expect(checked == 2_400)
        #expect(pendingSeen > 100)  // the writes were in the pages, not only the stored pairs
    }

    /// A refused entry changes nothing: after `discard`, reads and the batch's changes are the
    /// kept entries' writes over the store, whatever the refused entry wrote, inserted, noted or
    /// deleted with a stored value (claims that are true, as the state machine's are).
    @Test func aDiscardedEntryLeavesReadsAndChangesAsTheKeptEntriesLeftThem() throws {
        var random = SeededGenerator(seed: 47)
        for _ in 0..<200 {
            let storage = MemoryStateStorage()
            var stored: [[UInt8]: [UInt8]] = [:]
            var initial = StateWrites()
            for step in 0..<Int(random.next() % 20) {
                let key = randomKey(&random)
                initial.put(key, [UInt8(truncatingIfNeeded: step)])
                stored[key] = [UInt8(truncatingIfNeeded: step)]
            }
            if !initial.isEmpty { try storage.commit(initial, appliedIndex: 1) }
            var overlay = Overlay(storage: storage)
            var view = stored
            for step in 0..<Int(random.next() % 8) {  // a kept entry
                let key = randomKey(&random)
                overlay.put(key, [0xaa, UInt8(step)])
                view[key] = [0xaa, UInt8(step)]
            }
            overlay.keep()
            var touched: Set<[UInt8]> = Set(view.keys)
            for step in 0..<Int(random.next() % 8) {  // the refused entry
                let key = randomKey(&random)
                touched.insert(key)
                switch random.next() % 4 {
                case 0: overlay.put(key, [0xbb, UInt8(step)])
                case 1: overlay.delete(key, stored: stored[key])
                case 2: overlay.noteStored(key, stored[key])
                default: if stored[key] == nil, view[key] == nil { overlay.insert(key, [0xcc, UInt8(step)]) }
                }
            }
            overlay.discard()
            var changes: [[UInt8]: [UInt8]?] = [:]
            try overlay.forEachChange { key, old, new in
                #expect(old == stored[key])
                changes[key] = new
            }
            #expect(changes.allSatisfy { key, new in new == view[key] })
            for key in touched {
                #expect(try overlay.get(key) == view[key])
                if stored[key] != view[key] { #expect(changes[key] != nil) }
            }
        }
    }
}
