import Foundation

/// A progress bar with ETA, redrawn in place with \r, only when stdout is a terminal (and not in
/// JSON mode). Elsewhere it prints nothing; stages log plain lines every N steps instead.
///
///     pretrain ████████▌           42/100  loss 2.3026  eta 0:12
///
/// In a notebook (`Session.liveDisplay` set) the same progress, and the loss so far as a chart,
/// are redrawn in one output area at most four times a second.
public final class ProgressBar {
    let console: Console
    let title: String
    let total: Int
    let unicode: Bool
    let enabled: Bool
    let started = Date()
    let live: LiveDisplaySink?
    let liveID: String
    var lastLiveUpdate = Date.distantPast
    static var liveCount = 0

    public init(_ title: String, total: Int, session: Session) {
        self.console = session.console
        self.title = title
        self.total = max(1, total)
        self.unicode = session.unicode
        self.enabled = session.console.isTerminal && !session.printsJSON
        self.live = session.printsJSON ? nil : session.liveDisplay
        ProgressBar.liveCount += 1
        self.liveID = "progress-\(ProgressBar.liveCount)"
    }

    /// Redraws the bar after `done` of `total` steps, with an optional note (`loss 2.3026`).
    /// `losses` gives the loss of every step so far, for the notebook's live chart.
    public func update(_ done: Int, note: String = "", losses: () -> [Double] = { [] }) {
        if let live, done == total || Date().timeIntervalSince(lastLiveUpdate) >= 0.25 {
            lastLiveUpdate = Date()
            live.show(liveDisplays(display(done, note: note), losses: losses()), id: liveID)
        }
        guard enabled else { return }
        console.transient("\r" + ProgressBar.line(display(done, note: note), unicode: unicode) + "\u{1B}[K")
    }

    /// The progress, and a chart of the loss once there are a few steps.
    func liveDisplays(_ progress: ProgressDisplay, losses: [Double]) -> [Display] {
        guard losses.count >= 2 else { return [.progress(progress)] }
        return [.progress(progress), .chart(ChartDisplay(title: "\(title) loss", xLabel: "step", yLabel: "loss",
                                                         series: [ChartSeries(name: "loss", values: losses)]))]
    }

    /// The progress after `done` steps, with the time left estimated from the time so far.
    public func display(_ done: Int, note: String = "") -> ProgressDisplay {
        let elapsed = Date().timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        return ProgressDisplay(title: title, done: done, total: total, note: note, secondsLeft: eta)
    }

    /// `pretrain ████████▌           42/100  loss 2.3026  eta 0:12`
    static func line(_ progress: ProgressDisplay, unicode: Bool) -> String {
        let fraction = Double(progress.done) / Double(progress.total)
        return "\(progress.title) \(Bars.bar(fraction, width: 20, unicode: unicode)) \(progress.done)/\(progress.total)"
            + (progress.note.isEmpty ? "" : "  " + progress.note) + (progress.secondsLeft.map { "  eta " + ProgressBar.clock($0) } ?? "")
    }

    /// Removes the bar so the next output starts on a clean line; the bar ends for good.
    /// With `done`, a notebook's live display is drawn once more at that step first (the last
    /// redraw may have been skipped to keep to four a second, or the run stopped early).
    public func finish(_ done: Int? = nil, note: String = "", losses: [Double] = []) {
        if let live, let done { live.show(liveDisplays(display(done, note: note), losses: losses), id: liveID) }
        if let live { live.finish(id: liveID) }
        clearLine()
    }

    /// Removes the terminal's bar for a moment (a step line is printed, then the bar again).
    public func clearLine() {
        guard enabled else { return }
        console.transient("\r\u{1B}[K")
    }

    /// 75 seconds -> "1:15".
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
