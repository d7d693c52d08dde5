extension LinearRegex {
    enum Instruction: Sendable {
        case scalar(UInt32)
        case set(Int)
        case split(Int, Int)
        case jump(Int)
        case atStart
        case atEnd
        case match
    }

    // MARK: the VM

    /// Thread lists as sparse sets: `dense[0..<count]` are program counters, `sparse[pc]` their index.
    struct ThreadList {
        let dense: UnsafeMutableBufferPointer<Int>
        let sparse: UnsafeMutableBufferPointer<Int>
        var count = 0

        @inline(__always)
        func contains(_ pc: Int) -> Bool {
            let index = sparse[pc]
            return index < count && index >= 0 && dense[index] == pc
        }

        @inline(__always)
        mutating func insert(_ pc: Int) {
            sparse[pc] = count
            dense[count] = pc
            count += 1
        }
    }

    func run(_ bytes: UnsafeBufferPointer<UInt8>, _ memory: UnsafeMutableBufferPointer<Int>) -> Bool {
        let size = program.count
        var current = ThreadList(
            dense: UnsafeMutableBufferPointer(rebasing: memory[0..<size]),
            sparse: UnsafeMutableBufferPointer(rebasing: memory[size..<(2 * size)]))
        var next = ThreadList(
            dense: UnsafeMutableBufferPointer(rebasing: memory[(2 * size)..<(3 * size)]),
            sparse: UnsafeMutableBufferPointer(rebasing: memory[(3 * size)..<(4 * size)]))
        // Only the sparse halves are read before being written.
        UnsafeMutableBufferPointer(rebasing: memory[size..<(2 * size)]).initialize(repeating: 0)
        UnsafeMutableBufferPointer(rebasing: memory[(3 * size)..<(4 * size)]).initialize(repeating: 0)
        var stack = Stack(storage: UnsafeMutableBufferPointer(rebasing: memory[(4 * size)..<(7 * size)]))
        var position = 0
        let end = bytes.count
        while true {
            if position == 0 || !anchored {
                if add(0, to: &current, at: position, end: end, stack: &stack) { return true }
            }
            if current.count == 0 { return false }
            if position >= end { return false }
            let (scalar, width) = LinearRegex.decode(bytes, at: position)
            position += width
            next.count = 0
            for index in 0..<current.count {
                let pc = current.dense[index]
                let consumes: Bool
                switch program[pc] {
                case .scalar(let expected): consumes = scalar == expected
                case .set(let set): consumes = sets[set].contains(scalar)
                default: consumes = false
                }
                if consumes && add(pc + 1, to: &next, at: position, end: end, stack: &stack) { return true }
            }
            swap(&current, &next)
        }
    }

    /// The work stack of `add`: every instruction pushes at most two others, and each is expanded
    /// once per step, so three times the program length suffices.
    struct Stack {
        let storage: UnsafeMutableBufferPointer<Int>
        var count = 0

        @inline(__always)
        mutating func append(_ pc: Int) {
            storage[count] = pc
            count += 1
        }

        @inline(__always)
        mutating func popLast() -> Int? {
            if count == 0 { return nil }
            count -= 1
            return storage[count]
        }
    }

    /// Adds `pc` and everything reachable from it without consuming input; true on a match.
    func add(_ pc: Int, to list: inout ThreadList, at position: Int, end: Int, stack: inout Stack) -> Bool {
        stack.append(pc)
        while let pc = stack.popLast() {
            if list.contains(pc) { continue }
            list.insert(pc)
            switch program[pc] {
            case .match:
                stack.count = 0
                return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .atStart: if position == 0 { stack.append(pc + 1) }
            case .atEnd: if position == end { stack.append(pc + 1) }
            case .scalar, .set: break
            }
        }
        return false
    }

    /// The scalar at `offset` of valid UTF-8 and its width in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[offset])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[offset + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[offset + 1] & 0x3F) << 6 | UInt32(bytes[offset + 2] & 0x3F), 3)
        }
        let value =
            (lead & 0x07) << 18 | UInt32(bytes[offset + 1] & 0x3F) << 12 | UInt32(bytes[offset + 2] & 0x3F) << 6
            | UInt32(bytes[offset + 3] & 0x3F)
        return (value, 4)
    }
}
