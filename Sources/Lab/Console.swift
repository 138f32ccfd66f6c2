import CLibEdit
import Foundation

/// Where command output goes. Results go to stdout, errors to stderr; every write is also kept
/// (without colour codes) so a command's outcome and `:record` transcripts hold what was shown.
/// A capturing console (for tests) keeps the text and writes nothing.
public final class Console {
    public enum Stream: Sendable { case out, err }

    /// Writes to the real stdout/stderr; false = capture only.
    public let writesToTerminal: Bool
    /// Whether stdout is a terminal (decides colour and progress bars).
    public let isTerminal: Bool
    /// Captures without writing to the terminal while true (lesson mode's hidden setup lines).
    public var isMuted = false
    /// When set, every write that would reach the terminal goes here instead (the Jupyter kernel
    /// sends it to the notebook as a `stream` message while the command runs).
    public var sink: ((Stream, String) -> Void)?
    /// Everything written since the session started (cleared after each top-level command).
    public private(set) var chunks: [(stream: Stream, text: String)] = []

    public init(writesToTerminal: Bool = true, isTerminal: Bool? = nil) {
        self.writesToTerminal = writesToTerminal
        self.isTerminal = isTerminal ?? (writesToTerminal && isatty(1) == 1)
    }

    /// A console that captures output without printing it (tests).
    public static func capturing() -> Console { Console(writesToTerminal: false, isTerminal: false) }

    /// Writes `text` and a newline to stdout.
    public func out(_ text: String) { write(text + "\n", to: .out) }

    /// Writes `text` and a newline to stderr.
    public func err(_ text: String) { write(text + "\n", to: .err) }

    public func write(_ text: String, to stream: Stream) {
        chunks.append((stream, ANSI.strip(text)))
        guard writesToTerminal && !isMuted else { return }
        if let sink { sink(stream, text); return }
        let file = stream == .out ? rlhf_stdout() : rlhf_stderr()
        fputs(text, file)
        fflush(file)
    }

    /// Keeps `text` as if it had been written, without writing it (a result that a notebook
    /// shows as a picture is still part of the transcript).
    public func keep(_ text: String, stream: Stream) {
        chunks.append((stream, ANSI.strip(text)))
    }

    /// Terminal-only text that is not kept: progress bars redrawn with \r.
    public func transient(_ text: String) {
        guard writesToTerminal && isTerminal && !isMuted else { return }
        fputs(text, rlhf_stdout())
        fflush(rlhf_stdout())
    }

    /// The text written since chunk `start`, for one stream or both interleaved.
    public func text(since start: Int, stream: Stream? = nil) -> String {
        guard start < chunks.count else { return "" }
        return chunks[start...].filter { stream == nil || $0.stream == stream }.map(\.text).joined()
    }

    func clearChunks() { chunks.removeAll(keepingCapacity: true) }

    /// Forgets what was written after chunk `count` (lesson mode's quiet setup lines are not
    /// part of the output of the command that ran them).
    func truncateChunks(to count: Int) {
        if count < chunks.count { chunks.removeSubrange(count...) }
    }
}

/// Terminal colours. Used only when `Session.colorEnabled`; colour never carries meaning alone.
public enum ANSI {
    public static let red = "\u{1B}[31m", green = "\u{1B}[32m", yellow = "\u{1B}[33m"
    public static let blue = "\u{1B}[34m", dim = "\u{1B}[2m", bold = "\u{1B}[1m", reset = "\u{1B}[0m"

    public static func paint(_ text: String, _ code: String, if enabled: Bool) -> String {
        enabled ? code + text + reset : text
    }

    /// Removes escape sequences (ESC [ ... letter).
    public static func strip(_ text: String) -> String {
        guard text.contains("\u{1B}") else { return text }
        var out = ""
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if (0x40...0x7E).contains(scalar.value) && scalar != "[" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
