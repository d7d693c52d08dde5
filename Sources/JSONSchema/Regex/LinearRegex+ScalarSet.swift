extension LinearRegex {
    /// A set of scalars: sorted, merged ranges, with an ASCII bitmap for the common case.
    struct ScalarSet: Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var asciiLow: UInt64 = 0
        var asciiHigh: UInt64 = 0

        init(_ ranges: [ClosedRange<UInt32>], negated: Bool) {
            var sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
            var merged: [ClosedRange<UInt32>] = []
            for range in sorted {
                if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                    merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            if negated {
                var complement: [ClosedRange<UInt32>] = []
                var next: UInt32 = 0
                for range in merged {
                    if range.lowerBound > next { complement.append(next...(range.lowerBound - 1)) }
                    next = range.upperBound &+ 1
                    if range.upperBound == 0x10FFFF { next = 0x110000 }
                }
                if next <= 0x10FFFF { complement.append(next...0x10FFFF) }
                merged = complement
            }
            sorted = merged
            self.ranges = sorted
            for range in sorted where range.lowerBound < 128 {
                for scalar in range.lowerBound...min(range.upperBound, 127) {
                    if scalar < 64 { asciiLow |= 1 << UInt64(scalar) } else { asciiHigh |= 1 << UInt64(scalar - 64) }
                }
            }
        }

        /// Whether some scalar is in both sets.
        func overlaps(_ other: ScalarSet) -> Bool {
            for range in ranges {
                for otherRange in other.ranges where range.overlaps(otherRange) { return true }
            }
            return false
        }

        /// `contains` for a scalar below 128.
        @inline(__always)
        func containsASCII(_ byte: UInt8) -> Bool {
            byte < 64 ? asciiLow & (1 << UInt64(byte)) != 0 : asciiHigh & (1 << UInt64(byte &- 64)) != 0
        }

        @inline(__always)
        func contains(_ scalar: UInt32) -> Bool {
            if scalar < 64 { return asciiLow & (1 << UInt64(scalar)) != 0 }
            if scalar < 128 { return asciiHigh & (1 << UInt64(scalar - 64)) != 0 }
            for range in ranges where range.contains(scalar) { return true }
            return false
        }
    }
}
