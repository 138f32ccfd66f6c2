import Foundation
import Lab

/// `execute_request` (jupyter_client `docs/messaging.rst`, "Execute"). A cell holds commands,
/// one per line, with blank lines and `#` comments; each line runs through
/// `Session.execute(line:)` in order, as if typed at the `rlhf>` prompt. IOPub sees:
///
///     status busy -> execute_input -> stream ... / display_data ... -> execute_result | error -> status idle
///
/// What a command prints while it runs (training step lines) is a `stream` as it happens, and
/// its progress bar a display that updates in place (`LiveDisplay`). The
/// result of the last line is the `execute_result` (Out[N]); results of earlier lines are
/// `display_data`. The first failing line stops the cell: an `error` message and a reply with
/// `status: error`. An interrupt stops the running command at its next step boundary (its
/// finished steps are kept); the rest of the cell does not run and the reply is an error, so
/// the notebook stops its queue as well. After a failure with `stop_on_error` (the default), the
/// cells already queued are answered `aborted` without running. `silent` publishes nothing; `store_history` (default
/// true) counts the cell in `execution_count` and the history.
extension Kernel {
    func execute(_ request: WireMessage, on socket: ZMQSocket) {
        let content = request.content
        guard let code = content["code"]?.stringValue else {
            log("shell: dropped an execute_request without a code string")
            return
        }
        let silent = content["silent"]?.boolValue ?? false
        let storeHistory = (content["store_history"]?.boolValue ?? true) && !silent
        if storeHistory {
            executionCount += 1
            history.append((executionCount, code))
        }
        let parent = request.header
        if !silent {
            publisher.publish("execute_input", ["code": .string(code), "execution_count": .int(executionCount)], parent: parent)
        }

        interrupt.clear()   // a press while the kernel was idle stops nothing
        let publisher = self.publisher
        session.console.sink = { stream, text in
            guard !silent else { return }
            publisher.publish("stream", ["name": stream == .out ? "stdout" : "stderr", "text": .string(text)], parent: parent)
        }
        defer { session.console.sink = Kernel.discard }
        let live = LiveDisplay(publisher: publisher, parent: parent, style: session.renderStyle)
        if !silent { session.liveDisplay = live }
        defer { session.liveDisplay = nil }

        let lines = code.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        let commandLines = lines.indices.filter { Kernel.isCommand(lines[$0]) }
        var failure: CellFailure? = nil
        for index in commandLines {
            let pressesBefore = interrupt.totalPresses
            let outcome = session.execute(line: lines[index])
            session.quitRequested = false   // `:quit` ends a terminal session, never the notebook's kernel
            live.flush()
            if !outcome.ok, let error = outcome.error {
                failure = CellFailure(error: error, line: lines[index], lineNumber: index + 1, cellLines: commandLines.count)
                break
            }
            if !silent, let result = outcome.result {
                let data = mimeBundle(for: result, session: session, json: Kernel.printsJSON(lines[index], session: session),
                                      command: outcome.command)
                if !data.isEmpty {
                    if index == commandLines.last {
                        publisher.publish("execute_result", ["execution_count": .int(executionCount), "data": .object(data), "metadata": [:]], parent: parent)
                    } else {
                        publisher.publish("display_data", ["data": .object(data), "metadata": [:], "transient": [:]], parent: parent)
                    }
                }
            }
            if interrupt.totalPresses != pressesBefore {
                interrupt.clear()
                failure = CellFailure(interruptedAt: index + 1, line: lines[index], isLast: index == commandLines.last)
                break
            }
        }

        var reply: [String: JSONValue] = ["execution_count": .int(executionCount), "user_expressions": [:], "payload": []]
        if let failure {
            let error: [String: JSONValue] = ["ename": .string(failure.name), "evalue": .string(failure.value),
                                              "traceback": .array(failure.traceback.map { .string($0) })]
            if !silent { publisher.publish("error", error, parent: parent) }
            reply.merge(error) { $1 }
            reply["status"] = "error"
        } else {
            reply["status"] = "ok"
        }
        self.reply(to: request, on: socket, reply)
        if failure != nil && (content["stop_on_error"]?.boolValue ?? true) { abortQueuedExecutes() }
    }

    /// Where the console writes between cells: nowhere (nothing runs then).
    static let discard: (Console.Stream, String) -> Void = { _, _ in }

    /// A line that runs a command: not blank, not a `#` comment.
    static func isCommand(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return !trimmed.isEmpty && !trimmed.hasPrefix("#")
    }

    /// Whether the line's result was written as JSON (`:set output json` or `--json`).
    static func printsJSON(_ line: String, session: Session) -> Bool {
        session.jsonOutput || ((try? CommandLineWords.words(line))?.contains("--json") ?? false)
    }
}

/// Why a cell stopped early, as the `error` message shows it (ename, evalue, traceback).
struct CellFailure {
    var name: String
    /// The one-line error.
    var value: String
    /// The lines Jupyter prints: the failing line (in a cell of several), the error, hint and usage.
    var traceback: [String]

    init(error: LabError, line: String, lineNumber: Int, cellLines: Int) {
        name = "LabError"
        value = error.message
        traceback = cellLines > 1 ? ["line \(lineNumber): \(line.trimmingCharacters(in: .whitespaces))"] : []
        traceback += error.description.split(separator: "\n").map(String.init)
    }

    init(interruptedAt lineNumber: Int, line: String, isLast: Bool) {
        name = "Interrupted"
        value = "interrupted during line \(lineNumber): \(line.trimmingCharacters(in: .whitespaces))"
        traceback = [value, "  hint: the session keeps every step finished before the interrupt"
                     + (isLast ? "" : "; the lines after it did not run")]
    }
}
