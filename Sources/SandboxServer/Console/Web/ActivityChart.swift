/// The dashboard's chart, drawn on the server as SVG (pure: counts in, markup out): decisions
/// per minute over the last hour as bars, denials stacked in red, with a text summary for
/// screen readers. Labels are numbers only, so nothing needs escaping.
struct ActivityChart {
    static let minutes = 60

    /// Decisions and denials per minute, index 0 the oldest minute.
    var decisions = [Int](repeating: 0, count: ActivityChart.minutes)
    var denials = [Int](repeating: 0, count: ActivityChart.minutes)

    /// Counts a decision made at `timeMillis` into the hour ending at `nowMillis`.
    mutating func count(atMillis timeMillis: UInt64, nowMillis: UInt64, denied: Bool) {
        guard timeMillis <= nowMillis else { return }
        let age = Int((nowMillis - timeMillis) / 60_000)
        guard age < Self.minutes else { return }
        decisions[Self.minutes - 1 - age] += 1
        if denied { denials[Self.minutes - 1 - age] += 1 }
    }

    var svg: String {
        let width = 600
        let height = 120
        let peak = max(decisions.max() ?? 0, 1)
        let barWidth = width / Self.minutes
        var bars = ""
        for minute in 0..<Self.minutes {
            let x = minute * barWidth
            let total = decisions[minute] * (height - 20) / peak
            let denied = denials[minute] * (height - 20) / peak
            if total > 0 {
                bars +=
                    "<rect x=\"\(x)\" y=\"\(height - 12 - total)\" width=\"\(barWidth - 1)\" height=\"\(total)\" fill=\"#1f3a5f\"/>"
            }
            if denied > 0 {
                bars +=
                    "<rect x=\"\(x)\" y=\"\(height - 12 - denied)\" width=\"\(barWidth - 1)\" height=\"\(denied)\" fill=\"#a3211b\"/>"
            }
        }
        let total = decisions.reduce(0, +)
        let denied = denials.reduce(0, +)
        let summary = "\(total) decisions in the last hour, \(denied) denied; at most \(peak) in one minute"
        return """
            <svg role="img" aria-label="\(summary)" viewBox="0 0 \(width) \(height)" width="100%" preserveAspectRatio="none">\
            <title>\(summary)</title>\(bars)\
            <line x1="0" y1="\(height - 12)" x2="\(width)" y2="\(height - 12)" stroke="#6b6b75"/>\
            <text x="0" y="\(height - 1)">-60 min</text><text x="\(width - 24)" y="\(height - 1)">now</text>\
            <text x="0" y="10">\(peak)/min</text></svg>
            """
    }
}
