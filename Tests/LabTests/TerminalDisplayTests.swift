import Testing
import Lab

/// The terminal renderer draws each display the way the commands drew their text before.
@Suite struct TerminalDisplayTests {
    let style = RenderStyle(width: 80, unicode: true)

    @Test func tableWithTitleAndFootnote() {
        let table = TableDisplay(title: "results", headers: ["step", "loss"], rows: [["10", "2.3026"]], footnote: "(1 run)")
        #expect(TerminalRenderer.render(.table(table), style: style) == """
            results
            step    loss
            ----  ------
              10  2.3026
            (1 run)
            """)
    }

    @Test func barsMatchTheProbabilityBars() {
        let rows: [(label: String, value: Double)] = [("the", 0.5), (" cat", 0.25), ("\n", 0.125), ("x", 0.125)]
        let display = Display.bars(BarsDisplay(title: "next token", rows: rows, limit: 3, barWidth: 8))
        #expect(TerminalRenderer.render(display, style: style) == "next token\n" + Bars.probabilities(rows, width: 8, limit: 3))
    }

    @Test func oneSeriesPerStepIsTheLossChart() {
        let chart = ChartDisplay(title: "loss", xLabel: "step", yLabel: "loss", series: [ChartSeries(name: "loss", values: [4, 3, 2, 1])],
                                 height: 2, width: 10, titleInTerminal: false)
        #expect(TerminalRenderer.render(.chart(chart), style: style) == LossChart.render([4, 3, 2, 1], height: 2, width: 10))
    }

    @Test func severalSeriesGetAMarkEachAndALegend() {
        let chart = ChartDisplay(title: "SFT", xLabel: "steps", yLabel: "loss",
                                 series: [ChartSeries(name: "train", x: [10, 20], y: [1, 0]),
                                          ChartSeries(name: "held-out", x: [10, 20], y: [1, 2])],
                                 style: .linesAndPoints, height: 5, width: 20)
        let lines = TerminalRenderer.render(.chart(chart), style: style).split(separator: "\n").map(String.init)
        #expect(lines[0] == "SFT")
        #expect(lines[1].hasPrefix("2.0000 ┤") && lines[1].hasSuffix("o"))      // held-out ends at the top
        #expect(lines[5].hasPrefix("0.0000 ┤") && lines[5].hasSuffix("*"))      // train ends at the bottom
        #expect(lines[3].hasPrefix("1.0000 ┤"))                                   // the middle of the y axis
        #expect(lines.last!.contains("* train   o held-out   (y: loss)"))
        #expect(lines[lines.count - 2].contains("10") && lines[lines.count - 2].hasSuffix("20"))
    }

    @Test func columnsSideBySideOrOneUnderTheOther() {
        let two = ColumnsDisplay(columns: [.init(heading: "1", text: "sure ! heat water ."), .init(heading: "2", text: "blah")], width: 60)
        #expect(TerminalRenderer.render(.columns(two), style: style) == """
            1                             | 2
               sure ! heat water .        | blah
            """)
        let narrow = ColumnsDisplay(columns: [.init(heading: "1", text: "a", details: ["labeler 5"]), .init(heading: "2", text: "b")], width: 40)
        #expect(TerminalRenderer.render(.columns(narrow), style: style) == "1: a\n   labeler 5\n2: b")
    }

    @Test func hangingWrapBreaksBetweenWordsAndKeepsDoubleSpaces() {
        let line = "  tell me about rice . -> sure ! for rice , simmer it in a covered pot .  (5)"
        #expect(Format.wrapHanging(line, width: 40) == """
              tell me about rice . -> sure ! for
                  rice , simmer it in a covered pot
                  .  (5)
            """)
        #expect(Format.wrapHanging("short line", width: 40) == "short line")
        let wrapped = Format.wrapHanging(line, width: 60)
        #expect(wrapped.contains(".  (5)"))
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 60 })
    }

    @Test func progressLine() {
        let line = TerminalRenderer.render(.progress(ProgressDisplay(title: "pretrain", done: 5, total: 10, note: "loss 2.3026")), style: style)
        #expect(line == "pretrain ██████████           5/10  loss 2.3026")
    }
}
