/// A chart in the terminal. One series with a value per step is drawn as `LossChart`'s filled
/// columns; several series (or points at any x) as marks on a grid, a mark per series:
///
///     SFT loss: train (*) and held-out (o)
///     2.3026 ┤*o
///            ┤  *  o  o
///     0.4120 ┤     *  *
///            └──────────
///             1   step  30
enum TerminalPlot {
    static let marks: [Character] = ["*", "o", "+", "x", "#", "@"]

    static func render(_ chart: ChartDisplay, unicode: Bool) -> String {
        var lines: [String] = []
        if chart.isOneSeriesPerStep {
            if chart.titleInTerminal { lines.append(chart.title) }
            lines.append(LossChart.render(chart.series[0].y, height: chart.height, width: chart.width,
                                          unicode: unicode, label: chart.xLabel))
            return lines.joined(separator: "\n")
        }
        let points = chart.series.flatMap { series in zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite } }
        guard let xLow = points.map(\.0).min(), let xHigh = points.map(\.0).max(),
              let yLow = points.map(\.1).min(), let yHigh = points.map(\.1).max() else {
            return (chart.titleInTerminal ? chart.title + "\n" : "") + "(no data)"
        }
        let height = max(3, chart.height), width = max(10, chart.width)
        let xSpan = xHigh > xLow ? xHigh - xLow : 1, ySpan = yHigh > yLow ? yHigh - yLow : 1
        func column(_ x: Double) -> Int { Int(((x - xLow) / xSpan * Double(width - 1)).rounded()) }
        func row(_ y: Double) -> Int { Int(((y - yLow) / ySpan * Double(height - 1)).rounded()) }
        // grid[row][column], row 0 at the bottom
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        for (index, series) in chart.series.enumerated() {
            let mark = marks[index % marks.count]
            let ordered = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }.sorted { $0.0 < $1.0 }
            // Points that land in one column are averaged, so a long curve keeps its shape.
            var sums: [Int: (total: Double, count: Int)] = [:]
            for (x, y) in ordered { sums[column(x), default: (0, 0)].total += y; sums[column(x), default: (0, 0)].count += 1 }
            let columns = sums.keys.sorted()
            for (k, c) in columns.enumerated() {
                let y = sums[c]!.total / Double(sums[c]!.count)
                grid[row(y)][c] = mark
                // Lines: fill the columns between this point and the next with interpolated marks.
                guard k + 1 < columns.count else { continue }
                let next = columns[k + 1], nextY = sums[next]!.total / Double(sums[next]!.count)
                if next - c > 1 {
                    for between in (c + 1)..<next {
                        let t = Double(between - c) / Double(next - c)
                        let r = row(y + (nextY - y) * t)
                        if grid[r][between] == " " { grid[r][between] = mark }
                    }
                }
            }
        }
        let top = Format.number(yHigh), bottom = Format.number(yLow), middle = Format.number((yHigh + yLow) / 2)
        let axisWidth = max(top.count, bottom.count, middle.count)
        if chart.titleInTerminal { lines.append(chart.title) }
        let axis = unicode ? "┤" : "|"
        for r in stride(from: height - 1, through: 0, by: -1) {
            let label = r == height - 1 ? top : (r == 0 ? bottom : (r == (height - 1) / 2 && height >= 5 ? middle : ""))
            lines.append((Format.fit(label, axisWidth, alignRight: true) + " " + axis + String(grid[r])).trimmingWhitespaceAtEnd)
        }
        let pad = String(repeating: " ", count: axisWidth + 1)
        lines.append(pad + (unicode ? "└" : "+") + String(repeating: unicode ? "─" : "-", count: width))
        let left = Format.plain(xLow), right = Format.plain(xHigh)
        let gap = max(1, width - left.count - right.count)
        let name = Format.fit(chart.xLabel, min(chart.xLabel.count, max(0, gap - 2)))
        let before = max(1, (gap - name.count) / 2), after = max(1, gap - name.count - before)
        lines.append(pad + " " + left + String(repeating: " ", count: before) + name + String(repeating: " ", count: after) + right)
        lines.append(pad + " " + chart.series.enumerated().map { "\(marks[$0.offset % marks.count]) \($0.element.name)" }
            .joined(separator: "   ") + "   (y: \(chart.yLabel))")
        return lines.joined(separator: "\n")
    }
}
