/// Runs commands in a session and keeps what each one showed as notebook outputs, in the order
/// a kernel sends them: the text printed while it ran (stdout and stderr streams), each result
/// as a MIME bundle (`Session.presentResult`, `MimeBundle.of`), and an error.
///
/// The session keeps everything written during a top-level line in `console.chunks` (the kept
/// text of a presented result included); a result's arrival splits those chunks into the
/// streams before it and the streams after it.
final class NotebookRecorder {
    let session: Session
    private var outputs: [Notebook.Output] = []
    /// The first chunk of the running line not yet turned into an output.
    private var cursor = 0
    /// The text of the chunks already turned into outputs, per stream (the prefix of the
    /// outcome's stdout and stderr that is accounted for).
    private var seenOut = "", seenErr = ""

    init(session: Session) {
        self.session = session
        session.presentResult = { [unowned self] result in self.present(result) }
    }

    /// Runs one line; its outcome and its outputs.
    func run(_ line: String) -> (outcome: CommandOutcome, outputs: [Notebook.Output]) {
        outputs = []
        cursor = session.console.chunks.count
        seenOut = ""; seenErr = ""
        let outcome = session.execute(line: line)
        // What was written after the last result: stdout, then stderr (the check's order).
        appendStream("stdout", suffix(of: outcome.stdout, after: seenOut))
        var rest = suffix(of: outcome.stderr, after: seenErr)
        if let error = outcome.error {
            let report = NotebookRecorder.errorLines(error)
            let reportText = report.joined(separator: "\n") + "\n"
            var traceback = report
            if rest.hasSuffix(reportText) {
                appendStream("stderr", String(rest.dropLast(reportText.count)))
            } else {
                traceback = LessonFile.lines(rest)   // not the usual report: keep all of it
            }
            outputs.append(.error(name: "error", value: error.message, traceback: traceback))
            rest = ""
        }
        appendStream("stderr", rest)
        return (outcome, outputs)
    }

    /// A result arrived: the chunks before it are streams; the chunk that keeps its text is not.
    private func present(_ result: CommandResult) {
        let chunks = session.console.chunks
        let kept = result.text.isEmpty ? 0 : 1
        takeStreams(upTo: chunks.count - kept)
        if kept == 1 { seenOut += chunks[chunks.count - 1].text; cursor = chunks.count }
        guard !result.displays.isEmpty else { return }
        outputs.append(.result(data: NotebookRecorder.storedBundle(MimeBundle.of(result.displays, style: result.style)), executionCount: nil))
    }

    /// The bundle a notebook file keeps. JupyterLab opens a notebook from disk *untrusted*: it
    /// sanitises text/html, which strips inline SVG and leaves its labels run together, and it
    /// does not draw image/svg+xml at all, falling back to text/plain. So a stored result keeps
    /// text/html only when it has no SVG in it (tables), and the terminal's text otherwise;
    /// after Run All the kernel's own outputs are trusted and drawn as pictures.
    static func storedBundle(_ bundle: [String: String]) -> [String: String] {
        var stored = bundle
        if let html = stored["text/html"], html.contains("<svg") { stored["text/html"] = nil }
        return stored
    }

    private func takeStreams(upTo end: Int) {
        let chunks = session.console.chunks
        guard cursor < end else { return }
        for chunk in chunks[cursor..<end] {
            if chunk.stream == .out { seenOut += chunk.text; appendStream("stdout", chunk.text) }
            else { seenErr += chunk.text; appendStream("stderr", chunk.text) }
        }
        cursor = end
    }

    /// Adds stream text, joined to the previous output when that is the same stream.
    private func appendStream(_ name: String, _ text: String) {
        guard !text.isEmpty else { return }
        if case .stream(let lastName, let lastText)? = outputs.last, lastName == name {
            outputs[outputs.count - 1] = .stream(name: name, text: lastText + text)
        } else {
            outputs.append(.stream(name: name, text: text))
        }
    }

    /// `text` without its first `prefix.utf8.count` bytes (`text` starts with `prefix`).
    private func suffix(of text: String, after prefix: String) -> String {
        String(decoding: Array(text.utf8.dropFirst(prefix.utf8.count)), as: UTF8.self)
    }

    /// The lines the REPL prints for an error without a location and without colour
    /// (`Session.report`).
    static func errorLines(_ error: LabError) -> [String] {
        var lines = ["error: \(error.message)"]
        if let hint = error.hint { lines.append("  hint: \(hint)") }
        if let usage = error.usage { lines.append("  usage: \(usage)") }
        return lines
    }
}
