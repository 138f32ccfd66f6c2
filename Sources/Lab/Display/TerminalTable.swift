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

    public func render(maxWidth: Int = 300) -> String {
        let columns = headers.count
        var widths = headers.map(\.count)
        for row in rows {
            for c in 0..<min(columns, row.count) { widths[c] = max(widths[c], row[c].count) }
        }
        func line(_ cells: [String]) -> String {
            (0..<columns).map { c in
                Format.fit(c < cells.count ? cells[c] : "", widths[c], alignRight: alignments[c] == .right)
            }.joined(separator: "  ").trimmingWhitespaceAtEnd
        }
        var lines = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        return lines.map { $0.count > maxWidth ? String($0.prefix(maxWidth - 1)) + "…" : $0 }.joined(separator: "\n")
    }
}
