import Foundation
import Lab
import Testing

@Suite struct HTMLRendererTests {
    /// An HTML fragment parses as XML inside one root element.
    func wellFormed(_ html: String) -> Bool { isWellFormedXML("<div>" + html + "</div>") }

    @Test func escaping() {
        #expect(HTMLRenderer.escape("<unk> & \"x\" 'y'") == "&lt;unk&gt; &amp; &quot;x&quot; &#39;y&#39;")
        #expect(HTMLRenderer.escape("a\u{1B}[1mb\u{0}c\td\ne") == "a\u{FFFD}[1mb\u{FFFD}c\td\ne")   // XML forbids control characters
        let html = HTMLRenderer.render([.text("token <unk> & <|endoftext|>\n\u{7}bell")])
        #expect(html.contains("&lt;unk&gt; &amp; &lt;|endoftext|&gt;") && !html.contains("<unk>"))
        #expect(wellFormed(html))
    }

    @Test func tableAlignsColumnsAndEscapesCells() {
        let table = TableDisplay(title: "rewards <eval>", headers: ["prompt", "reward", "n"],
                                 rows: [["how do I <boil> eggs & such", "0.4120", "3"], ["hi", "-1.2000", "12"]],
                                 footnote: "n = samples & more")
        #expect(table.alignments == [.left, .right, .right])   // numbers right
        var padded = table
        padded.rows.append(["short row"])   // a short row gets empty cells
        let html = HTMLRenderer.render(.table(padded))
        #expect(wellFormed(html))
        #expect(html.contains("<caption") && html.contains(">rewards &lt;eval&gt;</caption>"))
        #expect(html.contains("how do I &lt;boil&gt; eggs &amp; such"))
        #expect(html.contains("text-align:right;border-bottom:1px solid rgba(128,128,128,0.18)\">0.4120</td>"))
        #expect(html.contains("text-align:left;border-bottom:1px solid rgba(128,128,128,0.18)\">hi</td>"))
        #expect(html.contains("text-align:right;font-weight:600;border-bottom:1px solid rgba(128,128,128,0.7)\">reward</th>"))
        #expect(html.components(separatedBy: "<td").count - 1 == 9)   // the short row is padded
        #expect(html.contains(">n = samples &amp; more</div>"))
        #expect(!html.contains("<script"))
    }

    @Test func everyDisplayIsWellFormed() {
        let displays: [Display] = [
            .text("plain <text>"),
            .bars(BarsDisplay(title: "p", rows: [("<unk>", 0.6), ("&", 0.4)])),
            .sparkline(SparklineDisplay(label: "loss <x>", values: [3, 2, 1.5, 1.2])),
            .sparkline(SparklineDisplay(label: "empty", values: [])),
            .chart(ChartDisplay(title: "c", xLabel: "step", yLabel: "loss", series: [ChartSeries(name: "a", values: [1, 2])])),
            .columns(ColumnsDisplay(title: "pair <1>", columns: [.init(heading: "sft", text: "sure ! <heat> water .", details: ["score 0.4"]),
                                                                 .init(heading: "rlhf", text: "a & b\nc", details: [])], width: 80)),
            .progress(ProgressDisplay(title: "pretrain", done: 42, total: 100, note: "loss 2.3026", secondsLeft: 12)),
        ]
        let html = HTMLRenderer.render(displays)
        #expect(wellFormed(html))
        #expect(html.contains("min 1.2000 max 3.0000") && html.contains("(no data)"))
        #expect(html.contains(">sure ! &lt;heat&gt; water .</div>") && html.contains(">score 0.4</div>"))
        #expect(html.contains("width:42.0%") && html.contains("42/100") && html.contains("eta 0:12") && html.contains("loss 2.3026"))
        #expect(!html.contains("<script"))
    }

    @Test func mimeBundleKeys() {
        let style = RenderStyle(width: 80)
        let text = MimeBundle.of([.text("hello")], style: style)
        #expect(Set(text.keys) == ["text/plain"])
        #expect(text["text/plain"] == "hello")
        let table = MimeBundle.of([.text("rows"), .table(TableDisplay(headers: ["a"], rows: [["1"]]))], style: style)
        #expect(Set(table.keys) == ["text/plain", "text/html"])
        let chart = ChartDisplay(title: "loss", xLabel: "step", yLabel: "loss", series: [ChartSeries(name: "loss", values: [2, 1])])
        let chartOnly = MimeBundle.of([.chart(chart)], style: style)
        #expect(Set(chartOnly.keys) == ["text/plain", "text/html", "image/svg+xml"])
        #expect(chartOnly["text/plain"] == TerminalRenderer.render([.chart(chart)], style: style))
        #expect(isWellFormedXML(chartOnly["image/svg+xml"]!))
    }
}
