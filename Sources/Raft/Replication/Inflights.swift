/// The append messages in flight to one follower (a ring buffer), bounded in count and bytes.
struct Inflights {
    private var lastIndices: [UInt64]
    private var sizes: [Int]
    private var start = 0
    private(set) var count = 0
    private(set) var bytes = 0
    let capacity: Int
    let maxBytes: Int

    init(capacity: Int, maxBytes: Int) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        lastIndices = []
        sizes = []
    }

    var isFull: Bool { count >= capacity || bytes >= maxBytes }

    /// Records a message whose last entry is `index`, carrying `size` bytes.
    mutating func add(index: UInt64, size: Int) {
        precondition(!isFull, "inflights overflow")
        if lastIndices.isEmpty {
            lastIndices = Array(repeating: 0, count: capacity)
            sizes = Array(repeating: 0, count: capacity)
        }
        var slot = start + count
        if slot >= capacity { slot -= capacity }
        lastIndices[slot] = index
        sizes[slot] = size
        count += 1
        bytes += size
    }

    /// Frees every message whose last index is at or below `index`.
    mutating func free(upTo index: UInt64) {
        while count > 0 && lastIndices[start] <= index {
            bytes -= sizes[start]
            start += 1
            if start == capacity { start = 0 }
            count -= 1
        }
        if count == 0 { start = 0 }
    }

    mutating func freeFirst() {
        guard count > 0 else { return }
        free(upTo: lastIndices[start])
    }

    mutating func reset() {
        start = 0
        count = 0
        bytes = 0
    }
}
