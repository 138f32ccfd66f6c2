import Foundation

/// A distribution as horizontal bars, the picture of `Bars.probabilities`:
///
///     next token after "the"
///     [the ]  ██████████████████▌           0.500
///     [ cat]  █████████                     0.250
///     [\n  ]  ████▌                         0.125
///     … 91 more  ████▌                      0.125
///
/// Labels are tokens as the terminal shows them (`Format.token`: a newline is \n), in a monospace
/// chip so that a leading space can be seen; a bar is value / scale of the track (clamped for
/// drawing, the number beside it is the real value); rows beyond `limit` are summed into one.
extension SVGRenderer {
    static let barRowHeight = 24.0

    /// The bars as a picture; `standalone` as for `chart`. The label column is at least
    /// `minimumLabelWidth` wide, so that several pictures of one result can share it (their bars
    /// then start at the same x and can be compared by eye: `HTMLRenderer.render`).
    public static func bars(_ bars: BarsDisplay, standalone: Bool = true, minimumLabelWidth: Double = 0) -> String {
        let title = bars.title ?? ""
        let width = 640.0
        let shown = bars.shown
        guard !shown.rows.isEmpty else {
            return noData(title, standalone: standalone)
        }
        let labels = barLabels(bars)
        let values = shown.rows.map { Format.number($0.value, decimals: bars.decimals) }
        let more = moreLabel(bars)
        let restValue = Format.number(shown.restSum, decimals: bars.decimals)

        let labelWidth = max(barsLabelWidth(bars), minimumLabelWidth)
        let valueWidth = (values + [restValue]).map { textWidth($0, size: 12, monospace: true) }.max() ?? 0
        let barLeft = 8 + labelWidth + 10, valueRight = width - 8, barRight = valueRight - valueWidth - 12
        let barSpan = max(40, barRight - barLeft)
        let top = title.isEmpty ? 6.0 : 32.0
        let rowCount = shown.rows.count + (more == nil ? 0 : 1)
        let height = top + Double(rowCount) * barRowHeight + 6

        var svg = [open(width: Int(width), height: Int(height.rounded(.up)), title: title.isEmpty ? "bars" : title,
                        standalone: standalone)]
        if !title.isEmpty { svg.append(text(title, x: 8, y: 20, size: 14, extra: "font-weight=\"600\"")) }

        /// The bar of one row: a faint full-scale track, the value's part of it filled.
        func bar(_ value: Double, row: Int, fill: String) -> String {
            let y = top + Double(row) * barRowHeight + 4, barHeight = barRowHeight - 8
            let fraction = value.isFinite && bars.scale > 0 ? min(max(value / bars.scale, 0), 1) : 0
            var length = fraction * barSpan
            if length > 0 && length < 1.5 { length = 1.5 }   // a tiny non-zero value stays visible
            return "<rect x=\"\(coordinate(barLeft))\" y=\"\(coordinate(y))\" width=\"\(coordinate(barSpan))\""
                + " height=\"\(coordinate(barHeight))\" rx=\"2\" fill=\"currentColor\" fill-opacity=\"0.08\"/>"
                + (length > 0 ? "<rect x=\"\(coordinate(barLeft))\" y=\"\(coordinate(y))\" width=\"\(coordinate(length))\""
                    + " height=\"\(coordinate(barHeight))\" rx=\"2\" \(fill)/>" : "")
        }

        var rows = "<g font-size=\"12\">"
        for (index, row) in shown.rows.enumerated() {
            let baseline = top + Double(index) * barRowHeight + 16
            let chipWidth = textWidth(labels[index], size: 12, monospace: true) + 8
            rows += "<rect x=\"8\" y=\"\(coordinate(baseline - 13))\" width=\"\(coordinate(chipWidth))\" height=\"18\" rx=\"3\""
                + " fill=\"currentColor\" fill-opacity=\"0.08\"/>"
            rows += "<text x=\"12\" y=\"\(coordinate(baseline))\" \(monospace) fill=\"currentColor\" xml:space=\"preserve\">"
                + escape(labels[index]) + "</text>"
            rows += bar(row.value, row: index, fill: "fill=\"\(palette[0])\"")
            rows += "<text x=\"\(coordinate(valueRight))\" y=\"\(coordinate(baseline))\" \(monospace) text-anchor=\"end\""
                + " fill=\"currentColor\">\(escape(values[index]))</text>"
        }
        if let more {
            let index = shown.rows.count, baseline = top + Double(index) * barRowHeight + 16
            rows += "<text x=\"12\" y=\"\(coordinate(baseline))\" fill=\"currentColor\" fill-opacity=\"0.75\""
                + " font-style=\"italic\">\(escape(more))</text>"
            rows += bar(shown.restSum, row: index, fill: "fill=\"currentColor\" fill-opacity=\"0.35\"")
            rows += "<text x=\"\(coordinate(valueRight))\" y=\"\(coordinate(baseline))\" \(monospace) text-anchor=\"end\""
                + " fill=\"currentColor\" fill-opacity=\"0.75\">\(escape(restValue))</text>"
        }
        svg.append(rows + "</g>")
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// The width of the label column the bars need by themselves: the widest token chip, or the
    /// "… N more" line, at least 40.
    public static func barsLabelWidth(_ bars: BarsDisplay) -> Double {
        max(barLabels(bars).map { textWidth($0, size: 12, monospace: true) + 10 }.max() ?? 0,
            moreLabel(bars).map { textWidth($0, size: 12) + 6 } ?? 0, 40)
    }

    /// The shown rows' tokens as the terminal writes them, cut to 24 characters.
    static func barLabels(_ bars: BarsDisplay) -> [String] {
        bars.shown.rows.map { cut(Format.token($0.label), 24) }
    }

    /// "… N more" when rows beyond the limit are summed into one.
    static func moreLabel(_ bars: BarsDisplay) -> String? {
        let restCount = bars.shown.restCount
        return restCount > 0 ? "… \(restCount) more" : nil
    }

    /// At most `limit` characters, the last one `…` when cut.
    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
