/// Draws displays as the REPL's text: the same characters a lesson expects, line for line.
public enum TerminalRenderer {
    /// Every display in order, one after the other (each starts on a new line). Several bar
    /// displays share one label column (the widest), so that their bars start in the same
    /// column, as the two distributions of `softmax` should.
    public static func render(_ displays: [Display], style: RenderStyle) -> String {
        let labelWidth = displays.map { display -> Int in
            if case .bars(let bars) = display { return Bars.labelWidth(bars.rows, limit: bars.limit) }
            return 0
        }.max() ?? 0
        return displays.map { render($0, style: style, barsLabelWidth: labelWidth) }.joined(separator: "\n")
    }

    public static func render(_ display: Display, style: RenderStyle, barsLabelWidth: Int = 0) -> String {
        switch display {
        case .text(let text):
            return text
        case .table(let table):
            var lines: [String] = []
            if let title = table.title { lines.append(title) }
            lines.append(TextTable(headers: table.headers, rows: table.rows, alignments: table.alignments)
                .render(maxWidth: table.maxWidth, fitWidth: table.fitWidth))
            if let footnote = table.footnote {
                // within fitWidth, each footnote line continues under its own first word
                lines.append(table.fitWidth.map { width in
                    footnote.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                        Format.wrapHanging(String(line), width: width, hang: line.hasPrefix("(") ? 1 : 0)
                    }.joined(separator: "\n")
                } ?? footnote)
            }
            return lines.joined(separator: "\n")
        case .bars(let bars):
            let body = Bars.probabilities(bars.rows, width: bars.barWidth, limit: bars.limit, unicode: style.unicode,
                                          scale: bars.scale, decimals: bars.decimals, minimumLabelWidth: barsLabelWidth)
            return bars.title.map { $0 + "\n" + body } ?? body
        case .sparkline(let line):
            return line.label + " " + Sparkline.render(line.values, width: line.width, unicode: style.unicode)
        case .chart(let chart):
            return TerminalPlot.render(chart, unicode: style.unicode)
        case .columns(let columns):
            return SideBySide.render(columns)
        case .progress(let progress):
            return ProgressBar.line(progress, unicode: style.unicode)
        }
    }
}

/// Texts in columns that share the terminal's width, each word-wrapped, split by ` | `:
///
///     1                       | 2
///        sure ! heat water .  | blah blah
///
/// When a column would be narrower than 24 characters they go one under the other instead.
enum SideBySide {
    static func render(_ display: ColumnsDisplay) -> String {
        let count = max(1, display.columns.count)
        let column = (display.width - 3 - 4 * (count - 1)) / count
        var lines: [String] = display.title.map { [$0] } ?? []
        guard column >= 24 && count > 1 else {
            for item in display.columns {
                lines.append("\(item.heading): \(item.text)")
                lines += item.details.map { "   " + $0 }
            }
            return lines.joined(separator: "\n")
        }
        // The wrapped text of each column, then its detail lines.
        let cells = display.columns.map { item -> [String] in
            Format.wrap(item.text, width: column).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                + item.details.flatMap { Format.wrap($0, width: column).split(separator: "\n").map(String.init) }
        }
        func join(_ parts: [String], first: Bool) -> String {
            var line = ""
            for (index, part) in parts.enumerated() {
                let isLast = index == parts.count - 1
                if index == 0 { line += first ? Format.fit(part, column + 3) : "   " + Format.fit(part, column) }
                else { line += " | " + (isLast ? part : Format.fit(part, column)) }
            }
            return line
        }
        lines.append(join(display.columns.map(\.heading), first: true))
        for row in 0..<(cells.map(\.count).max() ?? 0) {
            lines.append(join(cells.map { row < $0.count ? $0[row] : "" }, first: false))
        }
        return lines.joined(separator: "\n")
    }
}
