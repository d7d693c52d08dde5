/// A fixed set of strings looked up by their UTF-8 bytes: property names of `properties`, the
/// strings of an `enum`. JSON Schema compares strings by code points, which for valid UTF-8 is
/// byte equality, so a lookup compares bytes and never goes through `String` comparison
/// (canonical equivalence) or Swift's per-process random hash seed: the same probes happen in
/// every process.
///
/// A plain value of raw buffers, so copying it counts no references: the owner (``MemberRules``,
/// ``EnumValues``) allocates it once with ``allocate(_:)`` and calls ``deallocate()`` in its
/// `deinit`; nothing else frees it.
struct NameTable: @unchecked Sendable {
    /// Every name's bytes, one after the other.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    /// Where name `i` starts in `bytes` (`count + 1` entries, the last is the total length).
    private let starts: UnsafeMutableBufferPointer<Int>
    /// Open addressing: `slot -> index + 1`, 0 for empty. A power of two at least twice the count.
    private let slots: UnsafeMutableBufferPointer<Int32>
    /// The same for the names' small-string words (see ``SmallString``); names too long to be
    /// small are not in it (a small string cannot equal them). Hashed with `smallMultiplier`,
    /// chosen when the table is made so that no two names share a slot (when one is found in a
    /// few tries, as it is for the sizes schemas use): a lookup is then one probe.
    private let smallSlots: UnsafeMutableBufferPointer<Int32>
    /// Each name's small-string words, or (0, 0) for a name too long to be small.
    private let smallWords: UnsafeMutableBufferPointer<SmallString.Words>
    private let smallMultiplier: UInt64
    /// 64 minus the base-2 logarithm of the number of small slots: the hash's top bits index them.
    private let smallShift: UInt64
    /// Whether this runtime's small strings can be compared by their words
    /// (``SmallString/isAvailable``, read once here rather than on every lookup).
    private let usesSmallWords: Bool
    let count: Int

    /// Below this many names a scan (length, then bytes) beats hashing.
    static let scanLimit = 4

    static func allocate(_ names: [String]) -> NameTable {
        let utf8 = names.map { Array($0.utf8) }
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(utf8.reduce(0) { $0 + $1.count }, 1))
        let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: names.count + 1)
        var offset = 0
        for (index, name) in utf8.enumerated() {
            starts[index] = offset
            for byte in name {
                bytes[offset] = byte
                offset += 1
            }
        }
        starts[names.count] = offset
        var size = 4
        while size < 2 * names.count { size *= 2 }
        let slots = UnsafeMutableBufferPointer<Int32>.allocate(capacity: size)
        slots.initialize(repeating: 0)
        let smallWords = UnsafeMutableBufferPointer<SmallString.Words>.allocate(capacity: max(names.count, 1))
        smallWords.initialize(repeating: SmallString.none)
        var seen: Set<[UInt8]> = []
        var firstIndex: [Int] = []
        for (index, name) in utf8.enumerated() where seen.insert(name).inserted {
            // A duplicate name keeps its first index.
            firstIndex.append(index)
            var slot = name.withUnsafeBufferPointer { NameTable.hash($0) } & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(index + 1)
            if let words = SmallString.words(ofUTF8: name) { smallWords[index] = words }
        }
        let small = firstIndex.filter { smallWords[$0] != SmallString.none }
        let (smallSlots, multiplier, shift) = smallTable(small, smallWords, minimumSize: size)
        return NameTable(
            bytes: bytes, starts: starts, slots: slots, smallSlots: smallSlots, smallWords: smallWords,
            smallMultiplier: multiplier, smallShift: shift, usesSmallWords: SmallString.isAvailable,
            count: names.count)
    }

    /// The slots of the small names `indices` (their words in `words`): the first multiplier of a
    /// fixed sequence that puts each in its own slot, trying a few table sizes; if none does (very
    /// large sets), the last one tried, with linear probing.
    private static func smallTable(
        _ indices: [Int], _ words: UnsafeMutableBufferPointer<SmallString.Words>, minimumSize: Int
    ) -> (UnsafeMutableBufferPointer<Int32>, UInt64, UInt64) {
        var size = minimumSize
        var bits: UInt64 = 0
        while 1 << bits < size { bits += 1 }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var attempt = 1
        while true {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            let multiplier = (state ^ (state >> 29)) | 1
            let slots = UnsafeMutableBufferPointer<Int32>.allocate(capacity: size)
            slots.initialize(repeating: 0)
            var collided = false
            for index in indices {
                var slot = SmallString.slot(words[index], multiplier: multiplier, shift: 64 - bits)
                collided = collided || slots[slot] != 0
                while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
                slots[slot] = Int32(index + 1)
            }
            if !collided || attempt == 256 { return (slots, multiplier, 64 - bits) }
            slots.deallocate()
            if attempt % 64 == 0 {
                size *= 2
                bits += 1
            }
            attempt += 1
        }
    }

    private init(
        bytes: UnsafeMutableBufferPointer<UInt8>, starts: UnsafeMutableBufferPointer<Int>,
        slots: UnsafeMutableBufferPointer<Int32>, smallSlots: UnsafeMutableBufferPointer<Int32>,
        smallWords: UnsafeMutableBufferPointer<SmallString.Words>, smallMultiplier: UInt64, smallShift: UInt64,
        usesSmallWords: Bool, count: Int
    ) {
        self.bytes = bytes
        self.starts = starts
        self.slots = slots
        self.smallSlots = smallSlots
        self.smallWords = smallWords
        self.smallMultiplier = smallMultiplier
        self.smallShift = smallShift
        self.usesSmallWords = usesSmallWords
        self.count = count
    }

    func deallocate() {
        bytes.deallocate()
        starts.deallocate()
        slots.deallocate()
        smallSlots.deallocate()
        smallWords.deallocate()
    }

    /// FNV-1a over the bytes: deterministic, and cheap for the short names schemas use.
    @inline(__always)
    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in name { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash ^ (hash >> 15))
    }

    @inline(__always)
    private func isName(_ index: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[index]
        guard starts[index + 1] - start == name.count else { return false }
        guard let other = name.baseAddress else { return true }
        let mine = UnsafeRawPointer(bytes.baseAddress! + start)
        let theirs = UnsafeRawPointer(other)
        // Eight bytes at a time, then the rest.
        var offset = 0
        while offset + 8 <= name.count {
            if mine.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != theirs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < name.count {
            if mine.load(fromByteOffset: offset, as: UInt8.self) != other[offset] { return false }
            offset += 1
        }
        return true
    }

    /// The index of the name with exactly these bytes.
    @inline(__always)
    func index(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        if count <= NameTable.scanLimit {
            var index = 0
            while index < count {
                if isName(index, name) { return index }
                index += 1
            }
            return nil
        }
        return probe(name)
    }

    /// The hash table's answer (also used while it is being filled).
    @inline(__always)
    private func probe(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var slot = NameTable.hash(name) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if isName(entry - 1, name) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The index of the name with the same code points as `name`.
    @inline(__always)
    func index(of name: String) -> Int? {
        if usesSmallWords, let words = SmallString.wordsIfSmall(name) { return index(ofSmall: words) }
        if let found = name.utf8.withContiguousStorageIfAvailable({ index(of: $0) }) { return found }
        var copy = name
        return copy.withUTF8 { index(of: $0) }
    }

    /// The index of the name whose small-string words are `words`.
    @inline(__always)
    private func index(ofSmall words: SmallString.Words) -> Int? {
        if count <= NameTable.scanLimit {
            var index = 0
            while index < count {
                if smallWords[index] == words { return index }
                index += 1
            }
            return nil
        }
        let mask = smallSlots.count - 1
        var slot = SmallString.slot(words, multiplier: smallMultiplier, shift: smallShift)
        while true {
            let entry = Int(smallSlots[slot])
            if entry == 0 { return nil }
            if smallWords[entry - 1] == words { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }
}
