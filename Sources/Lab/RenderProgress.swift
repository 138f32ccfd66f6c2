import Foundation

/// A progress bar with ETA, redrawn in place with \r, only when stdout is a terminal (and not in
/// JSON mode). Elsewhere it prints nothing; stages log plain lines every N steps instead.
///
///     pretrain ████████▌           42/100  loss 2.3026  eta 0:12
public final class ProgressBar {
    let console: Console
    let title: String
    let total: Int
    let unicode: Bool
    let enabled: Bool
    let started = Date()

    public init(_ title: String, total: Int, session: Session) {
        self.console = session.console
        self.title = title
        self.total = max(1, total)
        self.unicode = session.unicode
        self.enabled = session.console.isTerminal && !session.printsJSON
    }

    /// Redraws the bar after `done` of `total` steps, with an optional note (`loss 2.3026`).
    public func update(_ done: Int, note: String = "") {
        guard enabled || ProgressBar.live != nil else { return }
        let fraction = Double(done) / Double(total)
        let elapsed = Date().timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let text = "\(title) \(Bars.bar(fraction, width: 20, unicode: unicode)) \(done)/\(total)"
            + (note.isEmpty ? "" : "  " + note) + "  eta " + ProgressBar.clock(eta)
        ProgressBar.live?(LiveProgress(title: title, done: done, total: total, text: text))
        guard enabled else { return }
        console.transient("\r" + text + "\u{1B}[K")
    }

    /// Removes the bar so the next output starts on a clean line.
    public func finish() {
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
