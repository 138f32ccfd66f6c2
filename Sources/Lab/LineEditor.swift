import CLibEdit
import Foundation

/// Line editing with libedit (histedit.h): emacs keys, Up/Down history, Ctrl-R search, Tab
/// completion, a persistent history file, pre-filled lines, and Ctrl-C that clears the line.
/// Only used when stdin is a terminal.
public final class LineEditor {
    /// What one call to `readLine()` got.
    public enum Input: Equatable {
        case line(String)
        case interrupted      // Ctrl-C at the prompt
        case endOfFile        // Ctrl-D on an empty line
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private var promptPointer: UnsafeMutablePointer<CChar>
    public let historyPath: String?
    /// Called by Tab with the text before the cursor.
    public var completer: (String) -> Completion = { Completion(word: $0, candidates: [], insertion: "", usage: nil) }

    public var prompt: String = "rlhf> " {
        didSet {
            free(promptPointer)
            promptPointer = strdup(prompt)
        }
    }

    /// The history file: $RLHF_HISTORY, else $XDG_STATE_HOME/rlhf/history,
    /// else ~/.local/state/rlhf/history.
    public static func defaultHistoryPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["RLHF_HISTORY"], !path.isEmpty { return path }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/rlhf/history" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/rlhf/history"
    }

    public init?(program: String = "rlhf", historyPath: String? = LineEditor.defaultHistoryPath()) {
        rlhf_set_ctype_locale()
        guard let editLine = rlhf_el_init(program) else { return nil }
        guard let history = history_init() else { el_end(editLine); return nil }
        self.editLine = editLine
        self.history = history
        self.historyPath = historyPath
        self.promptPointer = strdup("rlhf> ")

        _ = rlhf_history_set_size(history, 2000)
        _ = rlhf_history_set_unique(history, 1)
        if let historyPath { _ = rlhf_history_load(history, historyPath) }

        _ = rlhf_el_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
        _ = rlhf_el_set_editor(editLine, "emacs")
        _ = rlhf_el_set_history(editLine, history)
        _ = rlhf_el_set_signal(editLine, 1)
        _ = rlhf_el_set_prompt(editLine, editorPrompt)
        _ = rlhf_el_add_function(editLine, "rlhf-complete", "complete the word before the cursor", editorComplete)
        _ = rlhf_el_bind(editLine, "^I", "rlhf-complete")
        _ = rlhf_el_bind(editLine, "^R", "em-inc-search-prev")
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(promptPointer)
    }

    /// Reads one line (without its newline). Ctrl-C gives `.interrupted` after printing ^C.
    public func readLine() -> Input {
        var count: Int32 = 0
        errno = 0
        Interrupt.setAtPrompt(true)
        let result = el_gets(editLine, &count)
        let readError = errno
        guard let cLine = result else {
            if count == -1 && readError == EINTR {
                // libedit's own handler sends the signal on to ours, which may run a moment later
                // on another thread (OpenBLAS's, say): still "at the prompt" until it has, or it
                // would end the line as it does during a command
                InterruptFlag.process.waitForPress(seconds: 0.25)
                Interrupt.setAtPrompt(false)
                fputs("^C\n", rlhf_stdout())
                fflush(rlhf_stdout())
                return .interrupted
            }
            Interrupt.setAtPrompt(false)
            return .endOfFile
        }
        Interrupt.setAtPrompt(false)
        var line = String(cString: cLine)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    /// Puts `text` in the next input line, as if typed, so the student can edit it or press Enter.
    public func prefill(_ text: String) {
        el_push(editLine, text)
    }

    /// Adds a non-blank line to the history (consecutive duplicates are dropped).
    public func addHistory(_ line: String) {
        guard !line.trimmingWhitespace.isEmpty else { return }
        _ = rlhf_history_enter(history, line)
    }

    /// Writes the history file, creating its folder on first use. libedit writes a temporary
    /// file next to it, which is then renamed over the old one (atomic on POSIX): a crash while
    /// saving leaves the old history, never half a file.
    public func saveHistory() {
        guard let historyPath else { return }
        let folder = (historyPath as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let temporaryPath = historyPath + ".tmp-\(getpid())"
        guard rlhf_history_save(history, temporaryPath) >= 0 else {
            unlink(temporaryPath)
            return
        }
        let descriptor = open(temporaryPath, O_RDONLY)
        if descriptor >= 0 { _ = fsync(descriptor); close(descriptor) }
        if rename(temporaryPath, historyPath) != 0 { unlink(temporaryPath) }
    }

    // MARK: callbacks (reached from C, so they find the editor through EL_CLIENTDATA)

    fileprivate static func from(_ editLine: OpaquePointer?) -> LineEditor? {
        guard let editLine, let data = rlhf_el_get_clientdata(editLine) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    fileprivate var promptForC: UnsafeMutablePointer<CChar> { promptPointer }

    fileprivate func complete() -> UInt8 {
        guard let info = el_line(editLine)?.pointee, let buffer = info.buffer else { return UInt8(CC_ERROR) }
        let length = info.cursor - buffer
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(buffer), count: length)
        let before = String(decoding: bytes, as: UTF8.self)
        let completion = completer(before)
        if !completion.insertion.isEmpty {
            _ = el_insertstr(editLine, completion.insertion)
            return UInt8(CC_REFRESH)
        }
        let out = rlhf_stdout()
        if completion.candidates.count > 1 {
            fputs("\n" + LineEditor.columns(completion.candidates) + "\n", out)
        } else if let usage = completion.usage {
            fputs("\nusage: \(usage)\n", out)
        } else {
            return UInt8(CC_REFRESH_BEEP)
        }
        fflush(out)
        return UInt8(CC_REDISPLAY)
    }

    /// Candidates laid out in columns, like a shell's completion list.
    static func columns(_ words: [String], width: Int = 80) -> String {
        let cell = (words.map(\.count).max() ?? 0) + 2
        let perRow = max(1, width / cell)
        var rows: [String] = []
        var row = ""
        for (i, word) in words.enumerated() {
            row += Format.fit(word, cell)
            if (i + 1) % perRow == 0 { rows.append(row.trimmingWhitespaceAtEnd); row = "" }
        }
        if !row.isEmpty { rows.append(row.trimmingWhitespaceAtEnd) }
        return rows.joined(separator: "\n")
    }
}

private func editorPrompt(_ editLine: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    LineEditor.from(editLine)?.promptForC
}

private func editorComplete(_ editLine: OpaquePointer?, _ key: Int32) -> UInt8 {
    LineEditor.from(editLine)?.complete() ?? UInt8(CC_ERROR)
}
