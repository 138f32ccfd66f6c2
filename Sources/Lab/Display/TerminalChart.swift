/// A loss chart, `height` rows of vertical eighth blocks (`#` in ASCII), with the maximum on the
/// top axis label and the minimum on the bottom one:
///
///     2.3026 ┤█▇▅▃
///            ┤████▆▄▃▂▂▁▁
///     0.4120 ┤████████████
///            └ step 1 … 200
public enum LossChart {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ values: [Double], height: Int = 10, width: Int = 60,
                              unicode: Bool = true, label: String = "step") -> String {
        let series = Sparkline.bucketed(values, count: width)
        let finite = series.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), height > 0 else { return "(no data)" }
        let span = high > low ? high - low : 1
        // Each column is filled to (v - low) / span of the height, at least 1/8 of a row.
        let levels = series.map { v -> Int in
            guard v.isFinite else { return 0 }
            return max(1, Int(((v - low) / span * Double(height * 8 - 1)).rounded()) + 1)
        }
        let top = Format.number(high), bottom = Format.number(low)
        let axisWidth = max(top.count, bottom.count)
        let axis = unicode ? "┤" : "|"
        var lines: [String] = []
        for row in stride(from: height - 1, through: 0, by: -1) {
            let name = row == height - 1 ? top : (row == 0 ? bottom : "")
            let cells = String(levels.map { level -> Character in
                let filled = level - row * 8
                if filled >= 8 { return unicode ? "█" : "#" }
                if filled <= 0 { return " " }
                return unicode ? blocks[filled - 1] : (filled >= 4 ? "#" : " ")
            })
            lines.append((Format.fit(name, axisWidth, alignRight: true) + " " + axis + cells).trimmingWhitespaceAtEnd)
        }
        let corner = unicode ? "└" : "+"
        lines.append(String(repeating: " ", count: axisWidth + 1) + corner + " \(label) 1 \(unicode ? "…" : "...") \(values.count)")
        return lines.joined(separator: "\n")
    }
}
