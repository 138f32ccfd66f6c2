import Foundation

/// A chart as an SVG picture, 640 × 360 units, readable at 600 px:
///
///           SFT loss: train and held-out              <- title
///         ── train   ── held-out                      <- legend (two or more series)
///     2.5 ┤╲
///   l 2.0 ┤ ╲___                                      <- y ticks: 1, 2 or 5 × 10^k apart
///   o 1.5 ┤     ╲____,,,-----
///   s     └──┬──────┬──────┬──
///   s        0     100    200                         <- x ticks
///                  step                               <- x label
///
/// Non-finite points are skipped; a series of more than `maxPoints` points is averaged into that
/// many buckets (the curve keeps its shape, the file stays small); a single point is a dot; a flat
/// series sits in the middle of its axis; a chart without any finite point says "no data".
extension SVGRenderer {
    /// Points per series at most; longer series are averaged in buckets of consecutive points.
    public static let maxPoints = 600

    static let chartWidth = 640.0, chartHeight = 360.0

    /// The chart as a picture. `standalone` (the default) is a picture on its own, as in
    /// image/svg+xml; inside HTML (`standalone: false`) its text takes the page's text colour.
    public static func chart(_ chart: ChartDisplay, standalone: Bool = true) -> String {
        let series = chart.series.map { plotted($0) }
        let all = series.flatMap { $0 }
        guard let xLow = all.map(\.x).min(), let xHigh = all.map(\.x).max(),
              let yLow = all.map(\.y).min(), let yHigh = all.map(\.y).max() else {
            return noData(chart.title, standalone: standalone)
        }
        let width = chartWidth, height = chartHeight
        var svg = [open(width: Int(width), height: Int(height), title: chart.title, standalone: standalone)]
        svg.append(title(chart.title, width: width))

        // Legend: one entry per series (when there are two or more), flowing in rows under the title.
        var top = 36.0
        if chart.series.count > 1 {
            let (legend, rows) = self.legend(chart, empty: series.map(\.isEmpty), y: top + 10, width: width)
            svg.append(legend)
            top += Double(rows) * 18 + 6
        }

        // Axes: nice ticks around the data; the y tick labels decide the left margin.
        let yAxis = SVGAxis(low: yLow, high: yHigh, count: 5), xAxis = SVGAxis(low: xLow, high: xHigh, count: 6)
        let yLabels = yAxis.labels
        let labelWidth = yLabels.map { textWidth($0, size: 11) }.max() ?? 0
        let left = 30 + labelWidth + 8, right = width - 20, plotTop = top + 8, bottom = height - 46
        func px(_ x: Double) -> Double { xAxis.position(x, from: left, to: right) }
        func py(_ y: Double) -> Double { yAxis.position(y, from: bottom, to: plotTop) }

        var grid = "<g stroke=\"currentColor\" stroke-width=\"1\" fill=\"none\">"
        for tick in yAxis.ticks {
            let y = coordinate(py(tick))
            let opacity = tick == 0 && yAxis.low < 0 ? "0.45" : "0.15"   // zero stands out when values go negative
            grid += "<line x1=\"\(coordinate(left))\" y1=\"\(y)\" x2=\"\(coordinate(right))\" y2=\"\(y)\" stroke-opacity=\"\(opacity)\"/>"
        }
        for tick in xAxis.ticks {
            let x = coordinate(px(tick))
            grid += "<line x1=\"\(x)\" y1=\"\(coordinate(plotTop))\" x2=\"\(x)\" y2=\"\(coordinate(bottom))\" stroke-opacity=\"0.07\"/>"
            grid += "<line x1=\"\(x)\" y1=\"\(coordinate(bottom))\" x2=\"\(x)\" y2=\"\(coordinate(bottom + 5))\" stroke-opacity=\"0.6\"/>"
        }
        grid += "<path d=\"M\(coordinate(left)) \(coordinate(plotTop))V\(coordinate(bottom))H\(coordinate(right))\" stroke-opacity=\"0.6\"/>"
        svg.append(grid + "</g>")

        var labels = "<g font-size=\"11\" fill=\"currentColor\">"
        for (tick, label) in zip(yAxis.ticks, yLabels) {
            labels += "<text x=\"\(coordinate(left - 6))\" y=\"\(coordinate(py(tick) + 4))\" text-anchor=\"end\">\(escape(label))</text>"
        }
        for (tick, label) in zip(xAxis.ticks, xAxis.labels) {
            labels += "<text x=\"\(coordinate(px(tick)))\" y=\"\(coordinate(bottom + 18))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        svg.append(labels + "</g>")
        svg.append(text(chart.xLabel, x: (left + right) / 2, y: height - 10, size: 12, anchor: "middle"))
        svg.append(text(chart.yLabel, x: 0, y: 0, size: 12, anchor: "middle",
                        extra: "transform=\"translate(14 \(coordinate((plotTop + bottom) / 2))) rotate(-90)\""))

        // The curves, then the dots on top of them.
        for (index, points) in series.enumerated() where !points.isEmpty {
            let colour = palette[index % palette.count]
            let coordinates = points.map { coordinate(px($0.x)) + "," + coordinate(py($0.y)) }.joined(separator: " ")
            if points.count > 1 {
                svg.append("<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\""
                    + " stroke-linejoin=\"round\" stroke-linecap=\"round\"/>")
            }
            if chart.style == .linesAndPoints || points.count == 1 {
                // Few dots carry their values as a tooltip (an SVG <title>: no JavaScript needed).
                let radius = points.count > 120 ? "1.8" : "3.2", tooltips = points.count <= 120
                let name = chart.series[index].name
                svg.append("<g fill=\"\(colour)\">" + points.map {
                    "<circle cx=\"\(coordinate(px($0.x)))\" cy=\"\(coordinate(py($0.y)))\" r=\"\(radius)\""
                        + (tooltips ? "><title>\(escape("\(name): \(chart.xLabel) \(Format.plain($0.x)), \(chart.yLabel) \(Format.number($0.y))"))</title></circle>" : "/>")
                }.joined() + "</g>")
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// A series' points as drawn: finite ones only, sorted by x, at most `maxPoints` of them
    /// (each bucket of consecutive points replaced by its mean x and mean y).
    static func plotted(_ series: ChartSeries, maxPoints: Int = maxPoints) -> [(x: Double, y: Double)] {
        let points = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }
            .enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map { (x: $0.element.0, y: $0.element.1) }
        return bucketed(points, count: maxPoints)
    }

    /// Points averaged into `count` buckets of consecutive points (unchanged when there are fewer).
    static func bucketed(_ points: [(x: Double, y: Double)], count: Int) -> [(x: Double, y: Double)] {
        guard points.count > count, count > 0 else { return points }
        return (0..<count).map { bucket in
            let start = bucket * points.count / count, end = (bucket + 1) * points.count / count
            let slice = points[start..<max(start + 1, end)]
            let n = Double(slice.count)
            return (slice.reduce(0) { $0 + $1.x } / n, slice.reduce(0) { $0 + $1.y } / n)
        }
    }

    /// Legend entries (a short line in the series' colour, a dot for a point style, the name) in
    /// rows that fit `width`, centred; a series without finite points says so.
    static func legend(_ chart: ChartDisplay, empty: [Bool], y: Double, width: Double) -> (String, rows: Int) {
        let entries = chart.series.enumerated().map { index, series in
            (index: index, name: series.name + (empty[index] ? " (no data)" : ""))
        }
        // Lay the entries out in rows: swatch 22 + gap 6 + text + gap 18.
        var rows: [[(index: Int, name: String, width: Double)]] = [[]]
        var used = 0.0
        for entry in entries {
            let entryWidth = 28 + textWidth(entry.name, size: 12)
            if used + entryWidth > width - 40 && !rows[rows.count - 1].isEmpty { rows.append([]); used = 0 }
            rows[rows.count - 1].append((entry.index, entry.name, entryWidth))
            used += entryWidth + 18
        }
        var svg = "<g font-size=\"12\">"
        for (row, items) in rows.enumerated() {
            let rowWidth = items.reduce(0) { $0 + $1.width } + 18 * Double(max(0, items.count - 1))
            var x = (width - rowWidth) / 2
            let baseline = y + Double(row) * 18
            for item in items {
                let colour = palette[item.index % palette.count]
                let middle = coordinate(baseline - 4)
                svg += "<line x1=\"\(coordinate(x))\" y1=\"\(middle)\" x2=\"\(coordinate(x + 22))\" y2=\"\(middle)\""
                    + " stroke=\"\(colour)\" stroke-width=\"2.5\" stroke-linecap=\"round\"/>"
                if chart.style == .linesAndPoints {
                    svg += "<circle cx=\"\(coordinate(x + 11))\" cy=\"\(middle)\" r=\"3.2\" fill=\"\(colour)\"/>"
                }
                svg += "<text x=\"\(coordinate(x + 28))\" y=\"\(coordinate(baseline))\" fill=\"currentColor\">\(escape(item.name))</text>"
                x += item.width + 18
            }
        }
        return (svg + "</g>", rows.count)
    }

    /// The title, centred at the top, in a smaller font when it would not fit on one line.
    static func title(_ title: String, width: Double) -> String {
        let size = min(15, max(9, 15 * (width - 40) / max(1, textWidth(title, size: 15))))
        return text(title, x: width / 2, y: 22, size: size, anchor: "middle", extra: "font-weight=\"600\"")
    }

    /// A chart without a single finite point: its title and "no data".
    static func noData(_ title: String, standalone: Bool) -> String {
        [open(width: Int(chartWidth), height: 90, title: title, standalone: standalone),
         self.title(title, width: chartWidth),
         "<rect x=\"20\" y=\"34\" width=\"600\" height=\"46\" rx=\"6\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.25\" stroke-dasharray=\"4 4\"/>",
         text("no data", x: chartWidth / 2, y: 62, size: 13, anchor: "middle", extra: "fill-opacity=\"0.7\""),
         "</svg>"].joined(separator: "\n")
    }
}
