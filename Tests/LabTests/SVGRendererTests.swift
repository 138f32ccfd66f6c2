import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Lab
import Testing

/// Whether `xml` parses as XML (the SVG and HTML we write must; a browser forgives, a parser not).
func isWellFormedXML(_ xml: String) -> Bool {
    XMLParser(data: Data(xml.utf8)).parse()
}

/// The number of `<circle` and the point counts of each `<polyline` in an SVG.
func polylinePointCounts(_ svg: String) -> [Int] {
    svg.components(separatedBy: "<polyline points=\"").dropFirst().map { part in
        part.prefix { $0 != "\"" }.split(separator: " ").count
    }
}

@Suite struct SVGRendererTests {
    @Test func niceTicks() {
        #expect(SVGAxis(low: 0, high: 1).labels == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(SVGAxis(low: 0.0013, high: 0.0021).labels == ["0.0012", "0.0014", "0.0016", "0.0018", "0.0020", "0.0022"])
        #expect(SVGAxis(low: -3, high: 7).labels == ["-4", "-2", "0", "2", "4", "6", "8"])
        // A single value: the middle tick, ±10 %.
        let flat = SVGAxis(low: 1, high: 1)
        #expect(flat.labels == ["0.90", "0.95", "1.00", "1.05", "1.10"])
        #expect(flat.low < 1 && flat.high > 1)
        #expect(SVGAxis(low: 0, high: 0).ticks.contains(0))
        // Ranges beyond a Double's span or precision: the two ends, no endless loop.
        #expect(SVGAxis(low: -1e308, high: 1e308).ticks.count == 2)
        #expect(SVGAxis(low: 1e20, high: 1e20 + 1e5).ticks.count <= 51)
        // Every step is 1, 2 or 5 × 10^k and the ticks cover the range.
        for (low, high) in [(0.0, 1.0), (0.0013, 0.0021), (-3.0, 7.0), (1.0, 300.0), (2.3e-7, 9.1e-6), (-1e9, 3e9), (0.41, 2.3026)] {
            let axis = SVGAxis(low: low, high: high)
            let mantissa = axis.step / pow(10, log10(axis.step).rounded(.down))
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(axis.step) for \(low)...\(high)")
            #expect(axis.low <= low && axis.high >= high)
            #expect((3...12).contains(axis.ticks.count), "\(axis.ticks.count) ticks for \(low)...\(high)")
        }
    }

    @Test func compactTickLabels() {
        #expect(SVGAxis(low: 0, high: 30_000).labels == ["0", "5k", "10k", "15k", "20k", "25k", "30k"])
        #expect(SVGAxis(low: 2_000_000, high: 2_600_000).labels.first == "2.0M")
        #expect(SVGAxis(low: 0, high: 0.0005).labels == ["0", "1e-4", "2e-4", "3e-4", "4e-4", "5e-4"])
        #expect(SVGAxis(low: 1.2e-5, high: 1.8e-5).labels.contains("1.5e-5"))
        #expect(SVGAxis(low: 1, high: 300).labels == ["0", "50", "100", "150", "200", "250", "300"])
        #expect(SVGAxis(low: -0.3, high: 0.1).labels.allSatisfy { !$0.hasPrefix("-0.0") && $0 != "-0" })
    }

    @Test func chartHasTitleAxesLegendAndEscapes() {
        let chart = ChartDisplay(title: "loss <train> & held-out", xLabel: "step", yLabel: "loss (nats)",
                                 series: [ChartSeries(name: "train", values: [2.3, 1.9, 1.2, 0.8]),
                                          ChartSeries(name: "held-out <unk>", values: [2.3, 2.0, 1.7, 1.8])])
        let svg = SVGRenderer.chart(chart)
        #expect(isWellFormedXML(svg))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("viewBox=\"0 0 640 360\"") && svg.contains("width=\"100%\""))
        #expect(svg.contains("loss &lt;train&gt; &amp; held-out"))
        #expect(svg.contains(">train</text>") && svg.contains(">held-out &lt;unk&gt;</text>"))   // the legend
        #expect(svg.contains(">step</text>") && svg.contains(">loss (nats)</text>"))
        #expect(!svg.contains("<script") && !svg.contains("<unk>"))
        #expect(polylinePointCounts(svg) == [4, 4])
        #expect(svg.contains("#4C78A8") && svg.contains("#F58518"))
        // Standalone pictures set a grey that reads on both themes; inline ones inherit the page's.
        #expect(svg.contains("color=\"#888888\""))
        #expect(!SVGRenderer.chart(chart, standalone: false).contains("color=\"#888888\""))
    }

    @Test func legendListsEverySeries() {
        let names = ["proxy reward", "gold reward", "KL", "accuracy", "margin", "clipfrac", "grad norm", "score", "ninth"]
        let chart = ChartDisplay(title: "many", xLabel: "x", yLabel: "y",
                                 series: names.enumerated().map { ChartSeries(name: $0.element, values: [Double($0.offset), 1]) })
        let svg = SVGRenderer.chart(chart)
        #expect(isWellFormedXML(svg))
        for name in names { #expect(svg.contains(">\(name)</text>"), "legend has \(name)") }
        // One series: the title says it all, no legend.
        let one = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "only", values: [1, 2])]))
        #expect(!one.contains(">only</text>"))
    }

    @Test func nonFiniteValuesAreSkipped() {
        let chart = ChartDisplay(title: "t", xLabel: "step", yLabel: "loss",
                                 series: [ChartSeries(name: "a", values: [1, .nan, 3, .infinity, 2, -.infinity])])
        let svg = SVGRenderer.chart(chart)
        #expect(isWellFormedXML(svg))
        #expect(polylinePointCounts(svg) == [3])
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
    }

    @Test func manyPointsAreBucketed() {
        let values = (0..<5000).map { 2.3 * exp(-Double($0) / 1000) + 0.1 * sin(Double($0)) }
        let chart = ChartDisplay(title: "pretrain loss", xLabel: "step", yLabel: "loss", series: [ChartSeries(name: "loss", values: values)],
                                 style: .linesAndPoints)
        let svg = SVGRenderer.chart(chart)
        #expect(isWellFormedXML(svg))
        #expect(polylinePointCounts(svg) == [SVGRenderer.maxPoints])
        #expect(svg.components(separatedBy: "<circle").count - 1 == SVGRenderer.maxPoints)
        #expect(svg.utf8.count < 80_000)
    }

    @Test func edgeCases() {
        // Empty: "no data", for the chart and in the legend for one empty series of several.
        let empty = SVGRenderer.chart(ChartDisplay(title: "nothing", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", values: [])]))
        #expect(isWellFormedXML(empty) && empty.contains(">no data</text>"))
        let allNaN = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", values: [.nan])]))
        #expect(allNaN.contains(">no data</text>"))
        let partly = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y",
                                                    series: [ChartSeries(name: "a", values: [1, 2]), ChartSeries(name: "b", values: [])]))
        #expect(partly.contains(">b (no data)</text>"))
        // A single point is a dot; all-equal values are a flat line; negative and tiny values work.
        let single = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", x: [3], y: [0.5])]))
        #expect(isWellFormedXML(single) && single.contains("<circle") && polylinePointCounts(single).isEmpty)
        let flat = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", values: [2, 2, 2])]))
        #expect(isWellFormedXML(flat) && flat.contains(">2.0</text>"))
        let negative = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", values: [-3, 7, 1])]))
        #expect(negative.contains(">-4</text>") && negative.contains(">8</text>"))
        let extreme = SVGRenderer.chart(ChartDisplay(title: String(repeating: "a long title ", count: 12), xLabel: "x", yLabel: "y",
                                                     series: [ChartSeries(name: "a", values: [1e300, -1e300, 1e20, 5e-324])]))
        #expect(isWellFormedXML(extreme) && !extreme.contains("nan") && !extreme.contains("inf"))
        let tiny = SVGRenderer.chart(ChartDisplay(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", values: [1e-4, 3e-4])]))
        #expect(tiny.contains(">1.0e-4</text>") || tiny.contains(">1e-4</text>"))
    }

    @Test func barsShowTokensEscapedAndTheRestSummed() {
        let bars = BarsDisplay(title: "next token after <s>", rows: [("the", 0.5), (" cat", 0.2), ("<unk>", 0.1), ("&", 0.08), ("\n", 0.07),
                                                                     ("a", 0.03), ("b", 0.02)], limit: 5)
        let svg = SVGRenderer.bars(bars)
        #expect(isWellFormedXML(svg))
        #expect(svg.contains(">&lt;unk&gt;</text>") && svg.contains(">&amp;</text>") && svg.contains(">\\n</text>"))
        #expect(svg.contains(">next token after &lt;s&gt;</text>"))
        #expect(svg.contains("xml:space=\"preserve\"> cat</text>"))   // the leading space is kept
        #expect(svg.contains(">… 2 more</text>") && svg.contains(">0.050</text>"))
        #expect(svg.contains(">0.500</text>") && !svg.contains(">0.020</text>"))
        let emptyBars = SVGRenderer.bars(BarsDisplay(title: "none", rows: []))
        #expect(isWellFormedXML(emptyBars) && emptyBars.contains("no data"))
    }

    /// Two distributions of one result (softmax's model and sampled-from bars) start their bars
    /// at the same x in HTML, though one has longer tokens: the label column is shared.
    @Test func barsOfOneResultShareTheirLabelColumn() {
        let short = BarsDisplay(title: "model", rows: [("a", 0.6), ("b", 0.4)])
        let long = BarsDisplay(title: "sampled from", rows: [("tomatoes", 0.7), ("b", 0.3)])
        /// The x of each bar track (the first <rect ... fill-opacity="0.08"/> after a label).
        func trackStarts(_ svg: String) -> Set<String> {
            Set(svg.components(separatedBy: "<rect x=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }.filter { $0 != "8" })
        }
        let alone = [SVGRenderer.bars(short), SVGRenderer.bars(long)].map(trackStarts)
        #expect(alone[0].count == 1 && alone[1].count == 1 && alone[0] != alone[1])   // by themselves they differ
        let html = HTMLRenderer.render([.bars(short), .text("between"), .bars(long)])
        #expect(isWellFormedXML("<div>" + html + "</div>"))
        #expect(trackStarts(html) == alone[1])   // together: both at the longer labels' x
        #expect(SVGRenderer.barsLabelWidth(long) > SVGRenderer.barsLabelWidth(short))
    }

    @Test func sparklineIsASmallLine() {
        let svg = SVGRenderer.sparkline((0..<1000).map { Double($0 % 17) } + [.nan])
        #expect(isWellFormedXML(svg))
        #expect(polylinePointCounts(svg).allSatisfy { $0 <= 60 })
        #expect(isWellFormedXML(SVGRenderer.sparkline([])) && isWellFormedXML(SVGRenderer.sparkline([1, 1, 1])))
    }
}

/// Sample pages to look at: with RLHF_RENDER_SAMPLES=DIR set, writes each sample as DIR/NAME-light.html
/// and DIR/NAME-dark.html (a white page and JupyterLab's dark #111 page), and the charts as
/// standalone .svg files shown through <img> as a notebook shows image/svg+xml. Render them with
/// `chromium --headless --screenshot=x.png file://DIR/NAME-dark.html` and look.
@Suite struct RenderSamples {
    @Test func writeSamples() throws {
        guard let directory = ProcessInfo.processInfo.environment["RLHF_RENDER_SAMPLES"] else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A loss curve: decay plus a deterministic wobble (no random numbers needed for a picture).
        let loss = (0..<300).map { step -> Double in
            let t = Double(step)
            return 0.45 + 1.9 * exp(-t / 60) + 0.06 * sin(t * 1.7) * exp(-t / 200) + 0.03 * sin(t * 0.31)
        }
        let train: [Double] = (0..<30).map { (epoch: Int) -> Double in 2.3 * exp(-Double(epoch) / 7) + 0.15 }
        let heldOut: [Double] = (0..<30).map { (epoch: Int) -> Double in
            let e = Double(epoch)
            return 2.3 * exp(-e / 6) + 0.55 + 0.0009 * e * e
        }
        let kl: [Double] = [0.0, 0.8, 1.9, 3.4, 5.6, 8.9, 13.1, 19.8]
        let root: [Double] = kl.map { $0.squareRoot() }
        let proxy: [Double] = root.map { (r: Double) -> Double in 0.2 + 0.62 * r - 0.01 * r * r }
        let gold: [Double] = root.map { (r: Double) -> Double in 0.2 + 0.55 * r - 0.085 * r * r }
        let tail: [(label: String, value: Double)] = (0..<40).map { (" w\($0)", 0.121 / 40) }
        let tiny: [Double] = (0..<50).map { (i: Int) -> Double in 1.3e-4 + 8e-5 * sin(Double(i) / 5) }
        let huge: [Double] = (0..<5000).map { (i: Int) -> Double in 2.3e6 * Double(i) / 5000 + 1e5 * sin(Double(i) / 40) }
        var samples: [(String, [Display])] = []
        samples += [
            ("loss", [.chart(ChartDisplay(title: "pretrain loss", xLabel: "step", yLabel: "loss (nats)",
                                          series: [ChartSeries(name: "loss", values: loss)]))]),
            ("overfit", [.chart(ChartDisplay(title: "SFT loss: train and held-out", xLabel: "epoch", yLabel: "loss (nats)",
                                             series: [ChartSeries(name: "train", values: train), ChartSeries(name: "held-out", values: heldOut)]))]),
            ("goodhart", [.chart(ChartDisplay(title: "Best-of-n: proxy vs gold reward", xLabel: "√KL (nats)", yLabel: "reward",
                                              series: [ChartSeries(name: "proxy (reward model)", x: root, y: proxy),
                                                       ChartSeries(name: "gold (labeler)", x: root, y: gold)],
                                              style: .linesAndPoints))]),
        ]
        samples += [
            ("softmax", [.text("softmax \"the cat\" (temperature 1)"),
                         .bars(BarsDisplay(title: "next token after \"the cat\"",
                                           rows: [(" sat", 0.412), (" is", 0.171), ("<unk>", 0.09), (" &", 0.061), ("\n", 0.05),
                                                  (" ran", 0.044), (".", 0.031), (" a very long token indeed here", 0.02)]
                                               + tail, limit: 8))]),
            ("table", [.table(TableDisplay(title: "reward eval (held-out pairs)", headers: ["prompt", "chosen", "rejected", "margin", "ok"],
                                           rows: [["how do I boil <eggs>?", "1.2031", "-0.4120", "1.6151", "yes"],
                                                  ["tell me a joke & more", "0.3012", "0.5521", "-0.2509", "no"],
                                                  ["what is 2+2", "2.0190", "-1.1000", "3.1190", "yes"]],
                                           alignments: [.left, .right, .right, .right, .left], footnote: "accuracy 2/3 = 0.667 · margin = chosen − rejected"))]),
        ]
        samples += [
            ("columns", [.columns(ColumnsDisplay(title: "compare: \"how do I boil an egg?\"", columns: [
                .init(heading: "sft", text: "put the egg in water . wait .", details: ["labeler 0.20", "reward −0.31"]),
                .init(heading: "ppo", text: "sure ! heat water , put the egg in <slowly> & wait ten minutes .", details: ["labeler 0.85", "reward 1.42"]),
                .init(heading: "dpo", text: "boil water .\nadd egg .", details: ["labeler 0.60", "reward 0.77"]),
            ], width: 100))]),
            ("misc", [.progress(ProgressDisplay(title: "pretrain", done: 42, total: 100, note: "loss 2.3026", secondsLeft: 75)),
                      .sparkline(SparklineDisplay(label: "loss", values: loss)),
                      .text("step 300  loss 0.4512\nsaved as <base>")]),
        ]
        samples += [
            ("edges", [.chart(ChartDisplay(title: "no data", xLabel: "step", yLabel: "loss", series: [ChartSeries(name: "loss", values: [])])),
                       .chart(ChartDisplay(title: "one point", xLabel: "n", yLabel: "reward", series: [ChartSeries(name: "a", x: [4], y: [0.37])])),
                       .chart(ChartDisplay(title: "flat, negative, tiny, with NaN", xLabel: "step", yLabel: "value",
                                           series: [ChartSeries(name: "flat", values: [-2, -2, -2, -2]),
                                                    ChartSeries(name: "with NaN", values: [1, .nan, -3, 0.5]),
                                                    ChartSeries(name: "empty", values: [])])),
                       .chart(ChartDisplay(title: "tiny values", xLabel: "step", yLabel: "grad norm",
                                           series: [ChartSeries(name: "g", values: tiny)])),
                       .chart(ChartDisplay(title: "5000 steps, huge values", xLabel: "step", yLabel: "tokens",
                                           series: [ChartSeries(name: "t", values: huge)]))]),
        ]
        for (name, displays) in samples {
            for dark in [false, true] {
                let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:16px;"
                    + (dark ? "background:#111;color:#d4d4d4;" : "background:#fff;color:#222;")
                    + "font-family:system-ui,sans-serif;font-size:14px\"><div style=\"max-width:660px\">"
                    + HTMLRenderer.render(displays) + "</div></body></html>"
                try page.write(toFile: "\(directory)/\(name)-\(dark ? "dark" : "light").html", atomically: true, encoding: .utf8)
            }
            for case .chart(let chart) in displays {
                try SVGRenderer.chart(chart).write(toFile: "\(directory)/\(name).svg", atomically: true, encoding: .utf8)
                let image = "<!DOCTYPE html><html><body style=\"margin:16px;background:#111\"><div style=\"max-width:640px\">"
                    + "<img src=\"\(name).svg\" style=\"max-width:100%\"></div></body></html>"
                try image.write(toFile: "\(directory)/\(name)-img-dark.html", atomically: true, encoding: .utf8)
            }
        }
    }
}
