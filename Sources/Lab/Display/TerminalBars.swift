/// Probability bars: `token  ▕████▍     0.412`, eighth blocks so a bar's length is exact to 1/8
/// of a cell; `▏` for a tiny non-zero value; ASCII `#` when unicode is off.
public enum Bars {
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// A bar of `width` cells filled in proportion to `fraction` (clamped to 0...1 for drawing
    /// only; the number printed beside it is the real value).
    public static func bar(_ fraction: Double, width: Int, unicode: Bool = true) -> String {
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        if !unicode {
            let cells = Int((f * Double(width)).rounded())
            return String(repeating: "#", count: cells) + String(repeating: " ", count: width - cells)
        }
        let totalEighths = Int((f * Double(width * 8)).rounded())
        var text = String(repeating: "█", count: totalEighths / 8)
        let rest = totalEighths % 8
        if rest > 0 { text.append(eighths[rest - 1]) }
        else if totalEighths == 0 && f > 0 { text.append("▏") }
        return text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// Rows of `label  ▕bar  value`, sorted by value (largest first), values to `decimals` places
    /// (3 for probabilities), each bar value / scale of the full width; rows beyond `limit` are
    /// summarised as `… 91 more  0.087`. The label column is at least `minimumLabelWidth` wide
    /// (at most 24), so that the bars of several distributions can start in the same column.
    public static func probabilities(_ rows: [(label: String, value: Double)], width: Int = 20,
                                     limit: Int = 10, unicode: Bool = true, scale: Double = 1, decimals: Int = 3,
                                     minimumLabelWidth: Int = 0) -> String {
        let sorted = rows.sorted { $0.value > $1.value }
        let shown = Array(sorted.prefix(limit))
        let labels = shown.map { Format.token($0.label) }
        let labelWidth = min(24, max(minimumLabelWidth, labelWidth(rows, limit: limit)))
        let edge = unicode ? "▕" : "|"
        var lines = zip(labels, shown).map { label, row in
            Format.fit(label, labelWidth) + "  " + edge + bar(row.value / scale, width: width, unicode: unicode)
                + " " + Format.number(row.value, decimals: decimals)
        }
        if sorted.count > limit {
            let rest = sorted.dropFirst(limit).reduce(0) { $0 + $1.value }
            let more = "\(unicode ? "…" : "...") \(sorted.count - limit) more"
            lines.append(Format.fit(more, labelWidth + 2 + 1 + width) + " " + Format.number(rest, decimals: decimals))
        }
        return lines.joined(separator: "\n")
    }

    /// The width of the label column `probabilities` needs for these rows by itself: the longest
    /// shown token as the terminal writes it, at most 24.
    public static func labelWidth(_ rows: [(label: String, value: Double)], limit: Int) -> Int {
        let shown = rows.sorted { $0.value > $1.value }.prefix(limit)
        return min(24, shown.map { Format.token($0.label).count }.max() ?? 0)
    }
}

/// A one-line sparkline of a series with its range: `▁▂▃▅▇ min 0.1234 max 2.3456`.
public enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiLevels: [Character] = ["_", ".", "-", "~", "=", "+", "*", "#"]

    /// At most `width` characters: longer series are averaged into buckets.
    public static func render(_ values: [Double], width: Int = 40, unicode: Bool = true) -> String {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return "" }
        let series = bucketed(values, count: width)
        let marks = unicode ? levels : asciiLevels
        let line = String(series.map { v -> Character in
            guard v.isFinite else { return " " }
            if high == low { return marks[3] }   // a flat series sits in the middle
            let level = Int(((v - low) / (high - low) * Double(marks.count - 1)).rounded())
            return marks[level]
        })
        return "\(line) min \(Format.number(low)) max \(Format.number(high))"
    }

    /// Averages `values` into at most `count` equal buckets.
    static func bucketed(_ values: [Double], count: Int) -> [Double] {
        guard values.count > count, count > 0 else { return values }
        return (0..<count).map { i in
            let start = i * values.count / count, end = max(start + 1, (i + 1) * values.count / count)
            let slice = values[start..<end].filter(\.isFinite)
            return slice.isEmpty ? .nan : slice.reduce(0, +) / Double(slice.count)
        }
    }
}
