/// Draws displays as an HTML fragment for a notebook: text in <pre>, tables as <table>, charts
/// and bars as inline SVG, responses side by side as a row of cards, progress as a bar.
///
/// No JavaScript and no stylesheet: each element carries a small inline style, and colours are
/// the page's own text colour (`inherit`, `currentColor`) or greys with transparency
/// (rgba(128,128,128,…)), so one fragment reads well in a light and in a dark theme. The output
/// is also well-formed XML (every tag closed, every text escaped).
public enum HTMLRenderer {
    /// Every display in order. Several bar pictures share one label column (the widest), so
    /// that their bars start at the same x, as the two distributions of `softmax` should.
    public static func render(_ displays: [Display]) -> String {
        let labelWidth = displays.map { display -> Double in
            if case .bars(let bars) = display { return SVGRenderer.barsLabelWidth(bars) }
            return 0
        }.max() ?? 0
        return displays.map { render($0, barsLabelWidth: labelWidth) }.joined(separator: "\n")
    }

    public static func render(_ display: Display, barsLabelWidth: Double = 0) -> String {
        switch display {
        case .text(let text): return "<pre style=\"margin:0 0 4px 0\">" + escape(text) + "</pre>"
        case .table(let table): return self.table(table)
        case .bars(let bars):
            return "<div style=\"margin:4px 0\">" + SVGRenderer.bars(bars, standalone: false, minimumLabelWidth: barsLabelWidth) + "</div>"
        case .sparkline(let line): return sparkline(line)
        case .chart(let chart): return "<div style=\"margin:4px 0\">" + SVGRenderer.chart(chart, standalone: false) + "</div>"
        case .columns(let columns): return self.columns(columns)
        case .progress(let progress): return self.progress(progress)
        }
    }

    /// & < > " ' as entities; control characters that XML forbids (all below U+0020 except tab,
    /// newline and carriage return, e.g. a terminal's ESC) as U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let forbidden = scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
                out.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }

    /// `loss [small line] min 0.1234 max 2.3456`, the same numbers as the terminal's sparkline.
    static func sparkline(_ line: SparklineDisplay) -> String {
        let finite = line.values.filter(\.isFinite)
        let range = finite.min().map { "min \(Format.number($0)) max \(Format.number(finite.max()!))" } ?? "(no data)"
        return "<div style=\"margin:2px 0;font-variant-numeric:tabular-nums\">" + escape(line.label) + " "
            + (finite.isEmpty ? "" : SVGRenderer.sparkline(line.values) + " ")
            + "<span style=\"opacity:0.8\">" + escape(range) + "</span></div>"
    }

    /// A grey that reads on white and on near-black, at the given opacity.
    static func grey(_ opacity: Double) -> String { "rgba(128,128,128,\(opacity))" }
}
