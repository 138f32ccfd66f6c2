/// A result as Jupyter shows it: the same content under several MIME types, from which the
/// notebook picks the richest it can draw (jupyter_client docs/messaging.rst, "Display Data").
///   - text/plain: always, the terminal's text exactly;
///   - text/html: when there is more than text (tables, bars, charts, columns);
///   - image/svg+xml: when the whole result is one chart.
public enum MimeBundle {
    public static func of(_ displays: [Display], style: RenderStyle) -> [String: String] {
        var bundle = ["text/plain": TerminalRenderer.render(displays, style: style)]
        let onlyText = displays.allSatisfy { if case .text = $0 { true } else { false } }
        if !onlyText { bundle["text/html"] = HTMLRenderer.render(displays) }
        if displays.count == 1, case .chart(let chart) = displays[0] { bundle["image/svg+xml"] = SVGRenderer.chart(chart) }
        return bundle
    }
}
