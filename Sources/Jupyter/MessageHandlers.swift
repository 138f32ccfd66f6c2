import Foundation
import Lab

/// The requests the kernel answers (jupyter_client `docs/messaging.rst`). Every request is
/// wrapped in `status: busy` and `status: idle` on IOPub with the request as parent, so a
/// client knows when all of its output has arrived.
extension Kernel {
    func handle(_ request: WireMessage, on socket: ZMQSocket, channel: String) {
        let parent = request.header
        publisher.status("busy", parent: parent)
        defer { publisher.status("idle", parent: parent) }
        let content = request.content
        switch (request.type, channel) {
        case ("kernel_info_request", _):
            reply(to: request, on: socket, kernelInfo)
        case ("execute_request", "shell"):
            execute(request, on: socket)
        case ("complete_request", "shell"):
            reply(to: request, on: socket, complete(content))
        case ("inspect_request", "shell"):
            reply(to: request, on: socket, inspect(content))
        case ("is_complete_request", "shell"):
            reply(to: request, on: socket, isComplete(content))
        case ("history_request", "shell"):
            reply(to: request, on: socket, historyReply(content))
        case ("comm_info_request", "shell"):
            // The lab opens no comms (widgets); the reply lists none.
            reply(to: request, on: socket, ["status": "ok", "comms": [:]])
        case ("comm_open", "shell"), ("comm_msg", "shell"), ("comm_close", "shell"):
            break   // no comm targets: ignored, as the spec allows for unknown targets
        case ("interrupt_request", _):
            // Same as SIGINT: the running command stops at its next step boundary.
            interrupt.request()
            reply(to: request, on: socket, ["status": "ok"])
        case ("shutdown_request", _):
            // On control since 5.4 (shell is deprecated but still accepted). With restart the
            // client starts a new process itself; either way this one ends.
            let restart = content["restart"]?.boolValue ?? false
            reply(to: request, on: socket, ["status": "ok", "restart": .bool(restart)])
            beginShutdown()
        default:
            log("\(channel): ignored a message of unknown type '\(request.type.prefix(80))'")
        }
    }

    // MARK: complete, inspect, is_complete

    /// The cell's line up to the cursor and the cursor's position; `cursor_pos` counts Unicode
    /// code points (protocol 5.2 and later), as Swift's `unicodeScalars` do.
    static func lineBeforeCursor(_ content: [String: JSONValue]) -> (line: [Unicode.Scalar], cursor: Int, code: [Unicode.Scalar]) {
        let code = Array((content["code"]?.stringValue ?? "").unicodeScalars)
        let cursor = min(max(0, content["cursor_pos"]?.intValue ?? code.count), code.count)
        let lineStart = code[..<cursor].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        return (Array(code[lineStart..<cursor]), cursor, code)
    }

    /// `complete_request`: the REPL's Tab completion on the cursor's line. The matches replace
    /// the word before the cursor (cursor_start...cursor_end).
    func complete(_ content: [String: JSONValue]) -> [String: JSONValue] {
        let (line, cursor, _) = Kernel.lineBeforeCursor(content)
        var text = ""
        text.unicodeScalars.append(contentsOf: line)
        let completion = session.complete(text)
        return ["status": "ok", "matches": .array(completion.candidates.map { .string($0) }),
                "cursor_start": .int(cursor - completion.word.unicodeScalars.count), "cursor_end": .int(cursor),
                "metadata": [:]]
    }

    /// `inspect_request` (Shift-Tab): the `:help` card of the word at the cursor, or of the
    /// line's command when that word is an argument.
    func inspect(_ content: [String: JSONValue]) -> [String: JSONValue] {
        let (_, cursor, code) = Kernel.lineBeforeCursor(content)
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }
        var start = cursor, end = cursor
        while start > 0 && !isSpace(code[start - 1]) { start -= 1 }
        while end < code.count && !isSpace(code[end]) { end += 1 }
        let lineStart = code[..<cursor].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        var lineEnd = lineStart
        while lineEnd < code.count && code[lineEnd] != "\n" { lineEnd += 1 }
        func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String { var s = ""; s.unicodeScalars.append(contentsOf: scalars); return s }
        let word = text(code[start..<end])
        let firstWord = text(code[lineStart..<lineEnd]).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init)
        for topic in [word, firstWord ?? ""] where !topic.isEmpty && !topic.hasPrefix("#") {
            let name = topic.hasPrefix("--") ? String(topic.dropFirst(2)).split(separator: "=").first.map(String.init) ?? "" : topic
            guard !name.isEmpty, let help = try? session.helpText(for: name) else { continue }
            return ["status": "ok", "found": true, "data": ["text/plain": .string(help)], "metadata": [:]]
        }
        return ["status": "ok", "found": false, "data": [:], "metadata": [:]]
    }

    /// `is_complete_request`: a command is one line, so any text is complete, except a line with
    /// an unclosed quote, which no amount of further typing on a new line can close: invalid.
    func isComplete(_ content: [String: JSONValue]) -> [String: JSONValue] {
        let code = content["code"]?.stringValue ?? ""
        for line in code.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if (try? CommandLineWords.words(trimmed)) == nil { return ["status": "invalid"] }
        }
        return ["status": "complete"]
    }

    // MARK: history

    /// `history_request`: the cells run in this kernel as (session, line number, input) triples,
    /// session 0 meaning the current one. `tail` gives the last `n`, `range` the cells between
    /// `start` and `stop` (execution counts), `search` those matching a glob `pattern`
    /// (`*` and `?`); `unique` drops repeats.
    func historyReply(_ content: [String: JSONValue]) -> [String: JSONValue] {
        let access = content["hist_access_type"]?.stringValue ?? "tail"
        var cells = history
        switch access {
        case "range":
            let start = content["start"]?.intValue ?? 0
            let stop = content["stop"]?.intValue ?? Int.max
            cells = cells.filter { $0.count >= start && $0.count < stop }
        case "search":
            let pattern = content["pattern"]?.stringValue ?? "*"
            cells = cells.filter { Kernel.glob(pattern, matches: $0.code) }
        default:
            break
        }
        if content["unique"]?.boolValue == true {
            var seen = Set<String>()
            cells = cells.reversed().filter { seen.insert($0.code).inserted }.reversed()
        }
        if access != "range", let n = content["n"]?.intValue, n >= 0 { cells = Array(cells.suffix(n)) }
        let output = content["output"]?.boolValue ?? false
        let rows: [JSONValue] = cells.map {
            output ? [0, .int($0.count), [.string($0.code), .null]] : [0, .int($0.count), .string($0.code)]
        }
        return ["status": "ok", "history": .array(rows)]
    }

    /// Glob matching with `*` (any run) and `?` (one character), as IPython's history search.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) { pi += 1; ti += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
