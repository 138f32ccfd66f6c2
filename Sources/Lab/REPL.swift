import CLibEdit
import Foundation

/// The read-eval-print loop around a `Session`: libedit at a terminal, plain `readLine()` for
/// pipes and files (no prompt, no history, exit code 1 if any command failed).
public enum REPL {
    /// The one-line banner.
    public static func banner(_ session: Session) -> String {
        "RLHF Lab \(LabInfo.version) · seed \(session.settings.int("seed")) · type :help for help"
    }

    /// Reads commands from stdin until :quit or end of input; returns the process exit code.
    public static func run(_ session: Session) -> Int32 {
        Interrupt.installHandler(for: session)
        if isatty(0) == 1, let editor = LineEditor() {
            return interactive(session, editor: editor)
        }
        return piped(session)
    }

    static func interactive(_ session: Session, editor: LineEditor) -> Int32 {
        session.isInteractive = true
        editor.completer = { [unowned session] in session.complete($0) }
        session.prefill = { [unowned editor] in editor.prefill($0) }
        session.console.out(banner(session))
        var terminalWidth = TerminalWidth()
        while !session.quitRequested {
            editor.prompt = session.prompt
            switch editor.readLine() {
            case .interrupted:
                session.interrupt.clear()
            case .endOfFile:
                session.console.write("\n", to: .out)
                session.quitRequested = true
            case .line(let line):
                session.interrupt.clear()
                terminalWidth.follow(session)   // the window's width now, for this command's output
                if line.trimmingWhitespace.isEmpty {
                    // Enter on an empty line repeats a steppable verb (`step`, `sample`), nothing else.
                    if let repeated = session.repeatableLine { session.execute(line: repeated) }
                    continue
                }
                editor.addHistory(line)
                session.execute(line: line)
                session.interrupt.clear()
            }
        }
        editor.saveHistory()
        return 0
    }

    /// Standard input is a pipe or file: one command per line, errors as `<stdin>:LINE:`.
    ///
    /// Ctrl-C works as at the prompt: it stops the command that is running at its next step
    /// boundary (completed steps are kept and reported) and the script goes on with its next line,
    /// so a later `:save` still saves the work. A press while no command runs is forgotten. To
    /// stop the whole script, press Ctrl-C three times: the process exits at once (status 130).
    static func piped(_ session: Session) -> Int32 {
        var number = 0
        var input = StandardInputLines()
        while !session.quitRequested, let line = input.next() {
            number += 1
            session.interrupt.clear()
            let outcome = session.execute(line: line, location: SourceLocation(file: "<stdin>", line: number))
            if !outcome.ok && session.settings.bool("bail") { break }
        }
        return exitCode(session)
    }

    /// `rlhf -c 'cmd; cmd'`: runs each statement; exit code 1 if any failed.
    public static func runCommands(_ text: String, session: Session) -> Int32 {
        Interrupt.installHandler(for: session)
        let statements: [String]
        do { statements = try CommandLineWords.statementLines(text) }
        catch {
            session.report(LabError.from(error), command: nil, location: nil, json: session.jsonOutput)
            return 1
        }
        for statement in statements where !session.quitRequested {
            let outcome = session.execute(line: statement)
            if !outcome.ok && session.settings.bool("bail") { break }
        }
        return exitCode(session)
    }

    /// `rlhf run FILE`: the script as `:read FILE`; exit code 1 if any line failed.
    public static func runScript(_ path: String, session: Session) -> Int32 {
        Interrupt.installHandler(for: session)
        let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        session.execute(line: ":read \"\(escaped)\"")
        return exitCode(session)
    }

    static func exitCode(_ session: Session) -> Int32 { session.failureCount > 0 ? 1 : 0 }
}

/// Lines of standard input, read with read(2) so that a signal (Ctrl-C) arriving while we wait
/// for the next line does not end the input the way `readLine()` would (it sees EINTR as the end).
struct StandardInputLines {
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    /// The next line without its newline ("\r\n" too), or nil at the end of the input.
    mutating func next() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            if start > 0 { buffer.removeFirst(start); start = 0 }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { atEnd = true; continue }
            buffer += chunk[0..<count]
        }
    }
}
