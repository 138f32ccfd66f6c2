/// A table as HTML: the title as <caption>, a header row, a row per entry with each column
/// aligned as `TableDisplay.alignments` says (numbers right), every cell whole and escaped, the
/// footnote under it. Light stripes and rules in translucent grey read on light and dark themes.
extension HTMLRenderer {
    static func table(_ table: TableDisplay) -> String {
        let columns = max(table.headers.count, table.rows.map(\.count).max() ?? 0)
        func align(_ column: Int) -> String {
            column < table.alignments.count && table.alignments[column] == .right ? "right" : "left"
        }
        let cell = "padding:3px 12px;vertical-align:top;white-space:pre-wrap;"
        var html = "<div style=\"margin:4px 0 8px 0\">"
        html += "<table style=\"border-collapse:collapse;margin:0;font-size:13px;font-variant-numeric:tabular-nums;"
            + "color:inherit;table-layout:auto\">"
        if let title = table.title {
            html += "<caption style=\"caption-side:top;text-align:left;font-weight:600;padding:0 0 6px 0\">"
                + escape(title) + "</caption>"
        }
        if !table.headers.isEmpty {
            html += "<thead><tr>"
            for column in 0..<columns {
                let header = column < table.headers.count ? table.headers[column] : ""
                html += "<th style=\"\(cell)text-align:\(align(column));font-weight:600;"
                    + "border-bottom:1px solid \(grey(0.7))\">" + escape(header) + "</th>"
            }
            html += "</tr></thead>"
        }
        html += "<tbody>"
        for (index, row) in table.rows.enumerated() {
            let background = index % 2 == 1 ? grey(0.08) : "transparent"
            html += "<tr style=\"background:\(background)\">"
            for column in 0..<columns {
                let value = column < row.count ? row[column] : ""
                html += "<td style=\"\(cell)text-align:\(align(column));border-bottom:1px solid \(grey(0.18))\">"
                    + escape(value) + "</td>"
            }
            html += "</tr>"
        }
        html += "</tbody></table>"
        if let footnote = table.footnote {
            html += "<div style=\"font-size:12px;opacity:0.75;margin-top:4px;white-space:pre-wrap\">" + escape(footnote) + "</div>"
        }
        return html + "</div>"
    }
}
