/// Where a running command shows displays that it redraws in place: in a notebook, one output
/// area that the kernel updates (Jupyter's `update_display_data`, like `tqdm.notebook`). The
/// terminal does not use it: there `ProgressBar` redraws its line with \r.
public protocol LiveDisplaySink: AnyObject {
    /// Shows `displays` under `id`, replacing what `id` showed before. A sink may drop updates
    /// that come faster than it can usefully draw them (a few a second), but never the last one
    /// before `finish`.
    func show(_ displays: [Display], id: String)
    /// `id` will not change again.
    func finish(id: String)
}
