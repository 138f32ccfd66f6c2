/// What a command shows, apart from how it is drawn.
///
/// A command builds a list of displays: some text, a table, a distribution as bars, a chart of a
/// curve, two responses side by side. Three renderers draw the same list:
///   - TerminalRenderer: the REPL's text (tables with aligned columns, eighth-block bars and charts);
///   - HTMLRenderer: tables as <table>, text as <pre>, charts and bars as inline SVG (notebooks);
///   - SVGRenderer: a chart or a bar chart as a standalone SVG picture (notebooks).
/// The data lives here; how each renderer draws it lives in its own file.
public enum Display {
    /// Lines of text, shown as they are.
    case text(String)
    /// A table of already-formatted cells.
    case table(TableDisplay)
    /// Labelled values drawn as horizontal bars (a probability distribution, a rate).
    case bars(BarsDisplay)
    /// A series squeezed into one line: `loss ▁▂▃▅▇ min 0.1234 max 2.3456`.
    case sparkline(SparklineDisplay)
    /// Curves against a common x axis (loss against steps, proxy and gold reward against KL).
    case chart(ChartDisplay)
    /// Responses next to each other (two for `pair`, several for `compare`).
    case columns(ColumnsDisplay)
    /// How far a running command has come (the terminal redraws it in place).
    case progress(ProgressDisplay)
}

/// A table: headers, rows of formatted cells, each column aligned left or right.
public struct TableDisplay {
    public var title: String?
    public var headers: [String]
    public var rows: [[String]]
    public var alignments: [TextTable.Alignment]
    /// Longest terminal line; longer lines are cut with `…` (HTML shows every cell whole).
    public var maxWidth: Int
    /// The terminal's width, when a table wider than it should stack its headers on two lines
    /// and wrap its footnote rather than spill over (`TextTable.render(maxWidth:fitWidth:)`).
    public var fitWidth: Int?
    /// A line under the table (sample counts, what the columns mean).
    public var footnote: String?

    public init(title: String? = nil, headers: [String], rows: [[String]], alignments: [TextTable.Alignment]? = nil,
                maxWidth: Int = 300, fitWidth: Int? = nil, footnote: String? = nil) {
        self.title = title; self.headers = headers; self.rows = rows
        self.alignments = alignments ?? TextTable(headers: headers, rows: rows).alignments
        self.maxWidth = maxWidth; self.fitWidth = fitWidth; self.footnote = footnote
    }
}

/// Labelled values as bars, largest first; beyond `limit` rows the rest is summed into one row.
public struct BarsDisplay {
    public var title: String?
    public var rows: [(label: String, value: Double)]
    /// Bars are drawn as a fraction of this (1 for probabilities).
    public var scale: Double
    public var limit: Int
    /// Terminal bar length in cells.
    public var barWidth: Int
    /// Digits after the decimal point of each value.
    public var decimals: Int

    public init(title: String? = nil, rows: [(label: String, value: Double)], scale: Double = 1, limit: Int = 10,
                barWidth: Int = 20, decimals: Int = 3) {
        self.title = title; self.rows = rows; self.scale = scale; self.limit = limit
        self.barWidth = barWidth; self.decimals = decimals
    }

    /// The rows as drawn: sorted by value, the first `limit`, and how many are left with their sum.
    public var shown: (rows: [(label: String, value: Double)], restCount: Int, restSum: Double) {
        let sorted = rows.sorted { $0.value > $1.value }
        let rest = sorted.dropFirst(limit)
        return (Array(sorted.prefix(limit)), rest.count, rest.reduce(0) { $0 + $1.value })
    }
}

/// A series as one line of block characters with its range, after a label.
public struct SparklineDisplay {
    public var label: String
    public var values: [Double]
    /// Terminal characters at most (longer series are averaged into buckets).
    public var width: Int

    public init(label: String, values: [Double], width: Int = 40) {
        self.label = label; self.values = values; self.width = width
    }
}

/// One curve of a chart: its name (the legend) and its points.
public struct ChartSeries {
    public var name: String
    public var x: [Double]
    public var y: [Double]

    public init(name: String, x: [Double], y: [Double]) {
        self.name = name; self.x = x; self.y = y
    }

    /// y against 1, 2, 3, ... (a value per step).
    public init(name: String, values: [Double], firstX: Double = 1) {
        self.init(name: name, x: values.indices.map { firstX + Double($0) }, y: values)
    }
}

/// Curves against a common x axis.
public struct ChartDisplay {
    public enum Style {
        /// Lines through the points (several series, a legend).
        case lines
        /// Lines with a dot on every point (few points: a result per run, per n).
        case linesAndPoints
    }
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var style: Style
    /// Terminal size of the plot area in rows and columns.
    public var height: Int
    public var width: Int
    /// Whether the terminal prints the title above the chart (off where a text line before the
    /// chart already says what it shows; pictures always have their title).
    public var titleInTerminal: Bool

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries], style: Style = .lines,
                height: Int = 10, width: Int = 60, titleInTerminal: Bool = true) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.style = style; self.height = height; self.width = width; self.titleInTerminal = titleInTerminal
    }

    /// True when the chart is one series with a value per step 1, 2, 3, ... (a loss curve).
    public var isOneSeriesPerStep: Bool {
        guard series.count == 1, let only = series.first else { return false }
        return only.x.enumerated().allSatisfy { $0.element == Double($0.offset + 1) }
    }
}

/// Texts next to each other, each under a heading, each with optional detail lines under it.
public struct ColumnsDisplay {
    public struct Column {
        public var heading: String
        public var text: String
        public var details: [String]
        public init(heading: String, text: String, details: [String] = []) {
            self.heading = heading; self.text = text; self.details = details
        }
    }
    public var title: String?
    public var columns: [Column]
    /// The terminal's width (columns that do not fit go one under the other).
    public var width: Int

    public init(title: String? = nil, columns: [Column], width: Int) {
        self.title = title; self.columns = columns; self.width = width
    }
}

/// A running command's progress: `pretrain ████▌   42/100  loss 2.3026  eta 0:12`.
public struct ProgressDisplay {
    public var title: String
    public var done: Int
    public var total: Int
    /// Extra numbers, e.g. "loss 2.3026".
    public var note: String
    public var secondsLeft: Double?

    public init(title: String, done: Int, total: Int, note: String = "", secondsLeft: Double? = nil) {
        self.title = title; self.done = done; self.total = max(1, total); self.note = note; self.secondsLeft = secondsLeft
    }
}
