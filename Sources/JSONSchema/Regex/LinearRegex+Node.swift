extension LinearRegex {
    // MARK: syntax

    indirect enum Node {
        case empty
        case scalar(UInt32)
        case set(ScalarSet)
        case start
        case end
        case concat([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)

        var isStart: Bool {
            if case .start = self { return true }
            return false
        }
    }

    static let digits: [ClosedRange<UInt32>] = [0x30...0x39]
    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    static let whitespace: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F,
        0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ]
    static let lineTerminators: [ClosedRange<UInt32>] = [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]
}
