import Foundation

/// Draws charts and bars as SVG pictures, written by hand: well-formed XML, every text escaped,
/// no JavaScript, no stylesheet (a `<style>` inside inline SVG would restyle the whole notebook).
///
/// Colours survive a dark theme: series use a mid-saturation palette readable on white and on
/// #111; text, axes and grid lines use `currentColor`, so inside a notebook's HTML they take the
/// theme's text colour. A standalone picture (image/svg+xml, which a notebook shows as an <img>
/// that inherits nothing) sets that colour to a mid-grey instead, readable on both backgrounds.
///
///     SVGRenderer.chart(chart)   curves with axes, ticks, labels and a legend   (SVGChart.swift)
///     SVGRenderer.bars(bars)     a distribution as horizontal bars              (SVGBars.swift)
///     SVGRenderer.sparkline(...) a small line for a table cell or a text line   (SVGSparkline.swift)
public enum SVGRenderer {
    /// Series colours (Tableau 10 / Vega), in order; readable on light and dark backgrounds.
    public static let palette = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2",
                                 "#EECA3B", "#9D755D"]
    /// The text colour of a standalone picture (where currentColor would be black on any theme).
    static let standaloneInk = "#888888"
    static let font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\""
    static let monospace = "font-family=\"ui-monospace, SFMono-Regular, Menlo, Consolas, monospace\""

    /// The opening tag of a picture `width` × `height` units that scales down to its container and
    /// never grows past its own width.
    static func open(width: Int, height: Int, title: String, standalone: Bool) -> String {
        let ink = standalone ? " color=\"\(standaloneInk)\"" : ""
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\""
            + " style=\"max-width:\(width)px;height:auto\" role=\"img\" aria-label=\"\(escape(title))\"\(ink) \(font)>"
            + "<title>\(escape(title))</title>"
    }

    /// A coordinate with one decimal, without a trailing ".0" (12.5, 40, -3.2).
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }

    /// A text element at (x, y); `anchor` is start, middle or end. The text is escaped here.
    static func text(_ content: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                     extra: String = "") -> String {
        "<text x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" font-size=\"\(coordinate(size))\""
            + (anchor == "start" ? "" : " text-anchor=\"\(anchor)\"") + " fill=\"currentColor\""
            + (extra.isEmpty ? "" : " " + extra) + ">" + escape(content) + "</text>"
    }

    /// Text for XML: the HTML escapes (the same five entities are valid in both).
    static func escape(_ text: String) -> String { HTMLRenderer.escape(text) }

    /// A rough width of `text` in picture units at `size` (for laying out labels; SVG cannot
    /// measure text without a browser). Proportional fonts average about 0.6 em per character.
    static func textWidth(_ text: String, size: Double, monospace: Bool = false) -> Double {
        Double(text.count) * size * (monospace ? 0.62 : 0.58)
    }
}
