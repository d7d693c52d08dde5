extension LinearRegex {
    /// One class repeated `minimum...maximum` times.
    struct Run: Sendable {
        let set: ScalarSet
        let minimum: Int
        let maximum: Int?
    }

    struct Runs: Sendable {
        let items: [Run]
        let anchoredEnd: Bool
    }

    /// The run form of `tree`, if it has one: `^`, runs, optional `$`, where every run of
    /// variable length is followed by a run whose class it does not overlap (so stopping where
    /// the class stops matching is the only way to match).
    static func runs(of tree: Node) -> Runs? {
        guard case .concat(var parts) = tree, case .start? = parts.first else { return nil }
        parts.removeFirst()
        var anchoredEnd = false
        if case .end? = parts.last {
            anchoredEnd = true
            parts.removeLast()
        }
        var items: [Run] = []
        for part in parts {
            switch part {
            case .scalar(let value):
                items.append(Run(set: ScalarSet([value...value], negated: false), minimum: 1, maximum: 1))
            case .set(let set): items.append(Run(set: set, minimum: 1, maximum: 1))
            case .repetition(.scalar(let value), let minimum, let maximum):
                items.append(Run(set: ScalarSet([value...value], negated: false), minimum: minimum, maximum: maximum))
            case .repetition(.set(let set), let minimum, let maximum):
                items.append(Run(set: set, minimum: minimum, maximum: maximum))
            default:
                return nil
            }
        }
        for (offset, item) in items.enumerated() where item.maximum != item.minimum && offset + 1 < items.count {
            if item.set.overlaps(items[offset + 1].set) { return nil }
        }
        return Runs(items: items, anchoredEnd: anchoredEnd)
    }

    /// `runs` against the whole of `bytes`. ASCII bytes are tested against the class's bitmap
    /// in place (no copy of the run, so no reference counting); other scalars are decoded.
    func matchRuns(_ runs: borrowing Runs, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var position = 0
        let matched = runs.items.withUnsafeBufferPointer { items in
            for index in items.indices {
                var count = 0
                let maximum = items[index].maximum ?? Int.max
                while position < bytes.count && count < maximum {
                    let byte = bytes[position]
                    if byte < 0x80 {
                        guard items[index].set.containsASCII(byte) else { break }
                        position += 1
                    } else {
                        let (scalar, width) = LinearRegex.decode(bytes, at: position)
                        guard items[index].set.contains(scalar) else { break }
                        position += width
                    }
                    count += 1
                }
                if count < items[index].minimum { return false }
            }
            return true
        }
        return matched && (!runs.anchoredEnd || position == bytes.count)
    }
}
