/// Whether operations record the graph for backward.
///
/// Sampling and evaluation run inside `withoutGradients { ... }`: no graph is kept, so they
/// use less memory and time. The mode is task-local (thread-local outside tasks), so two
/// computations running at the same time never see each other's mode.
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` with gradient recording off, then restores the previous mode.
public func withoutGradients<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradMode.$isEnabled.withValue(false) { try body() }
}
