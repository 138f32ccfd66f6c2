import Lab
import Testing

@Suite struct RenderTests {
    @Test func numbers() {
        #expect(Format.number(0.412) == "0.4120")
        #expect(Format.number(0.0) == "0.0000")
        #expect(Format.number(-0.0) == "0.0000")   // -beta * 0 is not shown as -0.0000
        #expect(Format.number(3e-7) == "3.0000e-07")
        #expect(Format.number(12_345_678.0) == "1.2346e+07")
        #expect(Format.number(Double.nan) == "nan")
        #expect(Format.number(-Double.infinity) == "-inf")
    }

    @Test func bars() {
        #expect(Bars.bar(0.5, width: 4) == "██  ")
        #expect(Bars.bar(1.0 / 16.0, width: 4) == "▎   ")   // a quarter cell = 2 eighths
        #expect(Bars.bar(0.0001, width: 4) == "▏   ")
        #expect(Bars.bar(0, width: 4) == "    ")
        #expect(Bars.bar(0.5, width: 4, unicode: false) == "##  ")
        let rows = Bars.probabilities([("the", 0.5), (" cat", 0.25), ("\n", 0.125), ("x", 0.125)], width: 8, limit: 3)
        #expect(rows == """
            the   ▕████     0.500
             cat  ▕██       0.250
            \\n    ▕█        0.125
            … 1 more        0.125
            """)
    }

    @Test func sparkline() {
        #expect(Sparkline.render([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█ min 1.0000 max 8.0000")
        #expect(Sparkline.render([2, 2, 2]) == "▄▄▄ min 2.0000 max 2.0000")
        #expect(Sparkline.render([1, 8], unicode: false) == "_# min 1.0000 max 8.0000")
        #expect(Sparkline.render([]) == "")
    }

    @Test func table() {
        let table = TextTable(headers: ["step", "loss"], rows: [["10", "2.3026"], ["100", "0.4120"]])
        #expect(table.render() == """
            step    loss
            ----  ------
              10  2.3026
             100  0.4120
            """)
    }

    /// Wider than fitWidth: headers of several words that are wider than their cells go on two
    /// lines (split where the longer half is shortest); others stay on the lower line; no cell is cut.
    @Test func tableStacksHeadersToFit() {
        let table = TextTable(headers: ["model", "labeler score", "win vs ref", "KL to ref"],
                              rows: [["SFT", "-0.32", "38% (33-44)", "0.00"]], alignments: [.left, .right, .right, .right])
        let wide = table.render()
        #expect(wide.split(separator: "\n").first == "model  labeler score   win vs ref  KL to ref")
        #expect(table.render(fitWidth: 100) == wide)   // it fits: one line of headers
        #expect(table.render(fitWidth: 30) == """
                   labeler               KL to
            model    score   win vs ref    ref
            -----  -------  -----------  -----
            SFT      -0.32  38% (33-44)   0.00
            """)
        #expect(TextTable.stack("helpful unseen", over: 11) == ("helpful", "unseen"))
        #expect(TextTable.stack("repetitive", over: 3) == (nil, "repetitive"))
        #expect(TextTable.stack("win vs ref", over: 11) == (nil, "win vs ref"))
    }

    /// Step lines and metric lists wrap between their fields, never inside a `name value` pair.
    @Test func fieldsWrapBetweenFields() {
        let step = "ppo step 1  loss 0.1737  score 0.8063  kl 0.0000  |g| 0.5514  lr 0.0001"
        #expect(Format.wrapFields(step, separator: "  ", width: 40) == "ppo step 1  loss 0.1737  score 0.8063\n    kl 0.0000  |g| 0.5514  lr 0.0001")
        #expect(Format.wrapFields(step, separator: "  ", width: 100) == step)
        #expect(Format.wrapFields("last: alpha 1.0000, beta 2.0000, gamma 3.0000", separator: ", ", width: 30)
                == "last: alpha 1.0000,\n    beta 2.0000, gamma 3.0000")
    }

    @Test func lossChart() {
        let chart = LossChart.render([4, 3, 2, 1], height: 2, width: 10)
        let lines = chart.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("4.0000 ┤█"))
        #expect(lines[1].hasPrefix("1.0000 ┤██▆▁"))
        #expect(lines[2].hasSuffix("step 1 … 4"))
    }
}
