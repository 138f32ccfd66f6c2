import Foundation

/// A running command's progress as HTML, the notebook's version of the terminal's bar:
/// `pretrain [██████▌      ] 42/100 (42%)  loss 2.3026  eta 0:12`, the bar a pair of divs.
extension HTMLRenderer {
    static func progress(_ progress: ProgressDisplay) -> String {
        let fraction = min(max(Double(progress.done) / Double(progress.total), 0), 1)
        let percent = String(format: "%.1f", fraction * 100)
        var html = "<div style=\"display:flex;flex-wrap:wrap;align-items:center;gap:4px 12px;margin:2px 0;"
            + "font-size:13px;font-variant-numeric:tabular-nums\">"
        html += "<span style=\"font-weight:600\">" + escape(progress.title) + "</span>"
        html += "<div role=\"progressbar\" aria-valuenow=\"\(progress.done)\" aria-valuemax=\"\(progress.total)\""
            + " style=\"flex:0 0 240px;height:10px;border-radius:5px;background:\(grey(0.25));overflow:hidden\">"
            + "<div style=\"width:\(percent)%;height:100%;background:\(SVGRenderer.palette[0])\"></div></div>"
        html += "<span>\(progress.done)/\(progress.total) (\(Int((fraction * 100).rounded(.down)))%)</span>"
        if !progress.note.isEmpty { html += "<span>" + escape(progress.note) + "</span>" }
        if let left = progress.secondsLeft, left.isFinite {
            html += "<span style=\"opacity:0.75\">eta " + ProgressBar.clock(left) + "</span>"
        }
        return html + "</div>"
    }
}
