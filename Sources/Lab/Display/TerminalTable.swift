/// A plain table with aligned columns: text left-aligned, numbers right-aligned.
///
///     step   loss     kl
///     ----  ------  ------
///       10  2.3026  0.0000
public struct TextTable {
    public enum Alignment { case left, right }
    public var headers: [String]
    public var rows: [[String]]
    public var alignments: [Alignment]

    /// Columns whose every cell parses as a number are right-aligned unless given.
    public init(headers: [String], rows: [[String]], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.rows = rows
        self.alignments = alignments ?? headers.indices.map { column in
            rows.allSatisfy { column < $0.count && Double($0[column]) != nil } && !rows.isEmpty ? .right : .left
        }
    }

    /// The table as lines. A line longer than `maxWidth` is cut with `…`. A table wider than
    /// `fitWidth` first stacks each header of several words on two lines where that makes its
    /// column narrower, so that a wide table fits a narrow terminal without losing a cell:
    ///
    ///     model     labeler      helpful  ...  KL to  repetitive     RM
    ///                 score                      ref                score
    ///     -------  -------  -----------  ...  -----  -----------  -----
    public func render(maxWidth: Int = 300, fitWidth: Int? = nil) -> String {
        let columns = headers.count
        var cellWidths = Array(repeating: 0, count: columns)
        for row in rows {
            for c in 0..<min(columns, row.count) { cellWidths[c] = max(cellWidths[c], row[c].count) }
        }
        var headerLines = [headers]
        let oneLineWidth = zip(headers, cellWidths).map { max($0.count, $1) }.reduce(0, +) + 2 * (columns - 1)
        if let fitWidth, oneLineWidth > fitWidth {
            let stacked = zip(headers, cellWidths).map { header, cells in TextTable.stack(header, over: cells) }
            if stacked.contains(where: { $0.top != nil }) {
                headerLines = [stacked.map { $0.top ?? "" }, stacked.map(\.bottom)]
            }
        }
        let widths = (0..<columns).map { c in headerLines.map { $0[c].count }.reduce(cellWidths[c], max) }
        func line(_ cells: [String]) -> String {
            (0..<columns).map { c in
                Format.fit(c < cells.count ? cells[c] : "", widths[c], alignRight: alignments[c] == .right)
            }.joined(separator: "  ").trimmingWhitespaceAtEnd
        }
        var lines = headerLines.map(line) + [widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        return lines.map { $0.count > maxWidth ? String($0.prefix(maxWidth - 1)) + "…" : $0 }.joined(separator: "\n")
    }

    /// A header of several words split at the space that leaves the longer half shortest, when
    /// that half is longer than the column's cells need (else the header stays on one line).
    public static func stack(_ header: String, over cellWidth: Int) -> (top: String?, bottom: String) {
        guard header.count > cellWidth else { return (nil, header) }
        let words = header.split(separator: " ").map(String.init)
        guard words.count > 1 else { return (nil, header) }
        let splits = (1..<words.count).map { k in
            (top: words[..<k].joined(separator: " "), bottom: words[k...].joined(separator: " "))
        }
        let best = splits.min { max($0.top.count, $0.bottom.count) < max($1.top.count, $1.bottom.count) }!
        return (best.top, best.bottom)
    }
}
