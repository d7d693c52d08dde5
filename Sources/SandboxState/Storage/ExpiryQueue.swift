/// The front of a time-ordered index (the table's two-byte prefix, a big-endian `u64` time, then
/// the rest of the key), read a page at a time, so a sweep that removes the oldest keys reads each
/// key once and sorts nothing per entry (docs/state.md, "Sweeps").
///
/// A cache of the store, never part of the state (``StateMachine/reload()`` resets it). A page
/// holds only keys whose time is before the time given when it was read (`before`): the sweeps'
/// callers only ever write keys whose time is at or after the state's clock, and that clock never
/// goes back, so a key written after the page was read sorts after the page's last key, and the
/// next page (read strictly after that key) finds it. A key removed by another path after its page
/// was read is still in the page: the caller checks that it is still stored before acting on it,
/// and skips it otherwise (without counting it against its bound, so the sweep's effects are the
/// same with or without this cache).
struct ExpiryQueue {
    let prefix: [UInt8]
    /// Keys read per page.
    let pageSize: Int
    private var page: [(key: [UInt8], value: [UInt8])] = []
    private var position = 0
    /// The last key read into a page: every key up to it was in a page.
    private(set) var cursor: [UInt8]? = nil
    /// When the last read found no key before its bound: the time of the first key at or after it
    /// (nil: there is none).
    private(set) var following: UInt64? = nil

    init(prefix: [UInt8], pageSize: Int = 64) {
        self.prefix = prefix
        self.pageSize = max(1, pageSize)
    }

    /// The time in an index key.
    static func time(of key: [UInt8]) -> UInt64 { StateKeys.readBigEndian(key.dropFirst(2).prefix(8)) }

    /// Forgets everything read (the store changed under it).
    mutating func reset() { self = ExpiryQueue(prefix: prefix, pageSize: pageSize) }

    /// The oldest key not yet taken whose time is before `bound` (reading the next page when the
    /// current one is used up), or nil when there is none; then ``following`` tells when to look
    /// again. `bound` must never be after the time of a key the caller may still write.
    mutating func front(in overlay: Overlay, before bound: UInt64) throws -> (key: [UInt8], value: [UInt8])? {
        if position < page.count { return page[position] }
        let read = try overlay.scan(prefix: prefix, after: cursor, limit: pageSize)
        let older = read.prefix { Self.time(of: $0.key) < bound }
        page = Array(older)
        position = 0
        if let last = page.last { cursor = last.key }
        following = older.count < read.count ? Self.time(of: read[older.count].key) : nil
        return page.first
    }

    /// Takes a key that another path removed out of the page, so the caller never sees it (what
    /// a page read afresh would hold). Lets a sweep act on the values the page holds without
    /// reading the record again; the state machine restores the queue with the rest of its
    /// state when an entry is refused.
    mutating func drop(_ key: [UInt8]) {
        guard position < page.count, let cursor, !StateWrites.precedes(cursor, key) else { return }
        if let index = page[position...].firstIndex(where: { $0.key == key }) { page.remove(at: index) }
    }

    /// Takes the key ``front(in:before:)`` returned.
    mutating func removeFront() {
        precondition(position < page.count, "removeFront without a front")
        position += 1
    }
}
