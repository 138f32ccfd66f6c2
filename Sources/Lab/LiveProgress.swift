/// One redraw of a progress bar, for a display that is not a terminal (provisional hook: the
/// Jupyter kernel turns it into a display that updates in place, like `tqdm.notebook`).
public struct LiveProgress: Sendable {
    public var title: String
    public var done: Int
    public var total: Int
    /// The line the terminal draws: `pretrain ████████▌           42/100  loss 2.3026  eta 0:12`.
    public var text: String
}

extension ProgressBar {
    /// Called on every `update` when set, on the thread that runs the command. Set by the
    /// Jupyter kernel while a cell runs; nil in the terminal.
    nonisolated(unsafe) public static var live: ((LiveProgress) -> Void)?
}
