/// An error a command reports to the student. Library code throws; only the REPL decides how
/// to show it:
///
///     error: reward: no preference pairs yet
///       hint: collect some with `pair 8`, then `prefer a|b`
///       usage: reward train [<steps>] [--lr <float>]
///
/// The message names what was wrong and the value; the hint says the next step or the allowed
/// range. Any other `Error` thrown by a stage is shown with its description.
public struct LabError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public var usage: String?

    public init(_ message: String, hint: String? = nil, usage: String? = nil) {
        self.message = message
        self.hint = hint
        self.usage = usage
    }

    public var description: String {
        var text = "error: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        if let usage { text += "\n  usage: \(usage)" }
        return text
    }

    /// Wraps any error as a `LabError`, keeping a `LabError`'s hint and usage.
    public static func from(_ error: Error) -> LabError {
        if let error = error as? LabError { return error }
        return LabError(String(describing: error))
    }
}
