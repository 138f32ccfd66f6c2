import Foundation

/// A series as a small line, 120 × 24 units, the picture of `Sparkline`: long series are averaged
/// into buckets, non-finite values are skipped, a flat series is a line in the middle, and the
/// last value is a dot (where the run ended).
extension SVGRenderer {
    public static func sparkline(_ values: [Double], width: Int = 120, height: Int = 24) -> String {
        let series = Sparkline.bucketed(values, count: width / 2)
        let points = series.enumerated().filter { $0.element.isFinite }
        let open = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\""
            + " viewBox=\"0 0 \(width) \(height)\" style=\"vertical-align:middle\" role=\"img\" aria-label=\"sparkline\">"
        guard let low = points.map(\.element).min(), let high = points.map(\.element).max() else { return open + "</svg>" }
        let w = Double(width), h = Double(height), pad = 3.0
        let last = max(1, series.count - 1)
        func x(_ index: Int) -> Double { series.count == 1 ? w / 2 : pad + Double(index) / Double(last) * (w - 2 * pad) }
        func y(_ value: Double) -> Double { high == low ? h / 2 : h - pad - (value - low) / (high - low) * (h - 2 * pad) }
        let line = points.map { coordinate(x($0.offset)) + "," + coordinate(y($0.element)) }.joined(separator: " ")
        let end = points[points.count - 1]
        return open
            + "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>"
            + "<circle cx=\"\(coordinate(x(end.offset)))\" cy=\"\(coordinate(y(end.element)))\" r=\"2\" fill=\"\(palette[0])\"/>"
            + "</svg>"
    }
}
