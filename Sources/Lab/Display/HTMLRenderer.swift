/// Draws displays as an HTML fragment for a notebook: text in <pre>, tables as <table>, charts
/// and bars as inline SVG (no JavaScript).
public enum HTMLRenderer {
    public static func render(_ displays: [Display]) -> String {
        displays.map(render).joined(separator: "\n")
    }

    public static func render(_ display: Display) -> String {
        switch display {
        case .text(let text): return "<pre>" + escape(text) + "</pre>"
        case .chart(let chart): return SVGRenderer.chart(chart)
        default: return "<pre>" + escape(TerminalRenderer.render(display, style: RenderStyle())) + "</pre>"
        }
    }

    /// & < > " ' as entities.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
