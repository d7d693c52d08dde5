/// Punycode (RFC 3492): the Bootstring encoding IDNA uses to write a Unicode label in ASCII
/// (`bücher` ↔ `bcher-kva`; the `xn--` prefix is added by the caller).
public enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128
    /// Longest label accepted either way (DNS labels are at most 63 bytes anyway).
    public static let maximumLength = 256

    private static func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> Unicode.Scalar {
        Unicode.Scalar(UInt8(value < 26 ? value + 97 : value + 22))
    }

    /// Encodes a label; nil when it is too long or arithmetic would overflow.
    public static func encode(_ input: [Unicode.Scalar]) -> String? {
        guard input.count <= maximumLength else { return nil }
        var output = String.UnicodeScalarView()
        for scalar in input where scalar.isASCII { output.append(scalar) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            var next = Int.max
            for scalar in input where Int(scalar.value) >= n && Int(scalar.value) < next { next = Int(scalar.value) }
            let (product, overflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow, delta <= Int(Int32.max) - product else { return nil }
            delta += product
            n = next
            for scalar in input {
                let value = Int(scalar.value)
                if value < n {
                    delta += 1
                    guard delta <= Int(Int32.max) else { return nil }
                }
                if value == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }

    /// Decodes a label (without `xn--`); nil when it is not valid Punycode.
    public static func decode(_ input: String) -> [Unicode.Scalar]? {
        let scalars = Array(input.unicodeScalars)
        guard scalars.count <= maximumLength, scalars.allSatisfy(\.isASCII) else { return nil }
        var output: [Unicode.Scalar] = []
        var start = 0
        if let lastDash = scalars.lastIndex(of: "-") {
            output = Array(scalars[..<lastDash])
            start = lastDash + 1
        }
        var n = initialN
        var i = 0
        var bias = initialBias
        var index = start
        while index < scalars.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard index < scalars.count else { return nil }
                let value = scalars[index].value
                index += 1
                let digit: Int
                switch value {
                case 0x61...0x7A: digit = Int(value) - 0x61
                case 0x41...0x5A: digit = Int(value) - 0x41
                case 0x30...0x39: digit = Int(value) - 0x30 + 26
                default: return nil
                }
                let (step, overflow) = digit.multipliedReportingOverflow(by: w)
                guard !overflow, i <= Int(Int32.max) - step else { return nil }
                i += step
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                let (weight, weightOverflow) = w.multipliedReportingOverflow(by: base - t)
                guard !weightOverflow, weight <= Int(Int32.max) else { return nil }
                w = weight
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)), !scalar.isASCII else { return nil }
            output.insert(scalar, at: i)
            guard output.count <= maximumLength else { return nil }
            i += 1
        }
        return output
    }
}
