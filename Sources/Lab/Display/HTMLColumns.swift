/// Responses side by side as HTML: a row of cards, each with its heading, the response text (in
/// monospace, spaces and line breaks kept) and its detail lines (scores, lengths) under it. The
/// row wraps on a narrow page, so three or four responses stay readable.
extension HTMLRenderer {
    static func columns(_ display: ColumnsDisplay) -> String {
        var html = "<div style=\"margin:4px 0 8px 0\">"
        if let title = display.title {
            html += "<div style=\"font-weight:600;margin-bottom:6px\">" + escape(title) + "</div>"
        }
        html += "<div style=\"display:flex;flex-wrap:wrap;gap:10px;align-items:stretch\">"
        for column in display.columns {
            html += "<div style=\"flex:1 1 180px;min-width:0;border:1px solid \(grey(0.4));border-radius:6px;padding:8px 10px\">"
            html += "<div style=\"font-weight:600;margin-bottom:4px\">" + escape(column.heading) + "</div>"
            html += "<div style=\"white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,SFMono-Regular,Menlo,"
                + "Consolas,monospace;font-size:13px\">" + escape(column.text) + "</div>"
            for detail in column.details {
                html += "<div style=\"margin-top:4px;font-size:12px;opacity:0.8;white-space:pre-wrap\">" + escape(detail) + "</div>"
            }
            html += "</div>"
        }
        return html + "</div></div>"
    }
}
