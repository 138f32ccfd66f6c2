/// A Jupyter notebook in nbformat 4.5 (nbformat's `nbformat.v4.schema.json`): Markdown cells
/// and `rlhf` code cells with their outputs. `LessonNotebook` builds one from a lesson;
/// `NotebookJSON` writes it the way Jupyter does.
///
/// The kernel that runs these cells (`rlhf kernel`) is named in the metadata: kernelspec
/// `rlhf` ("RLHF Lab"), language `rlhf` (file extension `.rlhf`, MIME type `text/x-rlhf`).
public struct Notebook: Equatable {
    public var cells: [Cell]
    /// Extra notebook metadata under the key `rlhf` (the lesson file it was made from).
    public var lesson: String?

    public init(cells: [Cell] = [], lesson: String? = nil) {
        self.cells = cells; self.lesson = lesson
    }

    public enum Cell: Equatable {
        case markdown(id: String, source: String)
        case code(CodeCell)

        public var id: String {
            switch self {
            case .markdown(let id, _): id
            case .code(let cell): cell.id
            }
        }
    }

    /// A code cell: its commands (one per line), how often the kernel had run when it ran, its
    /// outputs, and its tags (`hide-input` for a lesson's hidden setup).
    public struct CodeCell: Equatable {
        public var id: String
        public var source: String
        /// nil for a cell never run (an empty cell for the student).
        public var executionCount: Int?
        public var outputs: [Output]
        public var tags: [String]
        /// Collapses the input in JupyterLab (`"jupyter": {"source_hidden": true}`).
        public var sourceHidden: Bool

        public init(id: String, source: String, executionCount: Int? = nil, outputs: [Output] = [],
                    tags: [String] = [], sourceHidden: Bool = false) {
            self.id = id; self.source = source; self.executionCount = executionCount
            self.outputs = outputs; self.tags = tags; self.sourceHidden = sourceHidden
        }
    }

    /// One output of a code cell, as the kernel sends it on iopub.
    public enum Output: Equatable {
        /// Text printed while a command ran (`name` is "stdout" or "stderr").
        case stream(name: String, text: String)
        /// A command's result as a MIME bundle (`MimeBundle.of`): `display_data`, or
        /// `execute_result` when it carries the cell's execution count (the cell's last command).
        case result(data: [String: String], executionCount: Int?)
        /// A failed command: `ename` "error", `evalue` the one-line message, and as traceback the
        /// lines the REPL prints (`error: ...`, `  hint: ...`, `  usage: ...`).
        case error(name: String, value: String, traceback: [String])
    }

    // MARK: nbformat JSON

    public static let kernelspec: JSONValue = ["name": "rlhf", "display_name": "RLHF Lab", "language": "rlhf"]
    public static let languageInfo: JSONValue = [
        "name": "rlhf", "file_extension": ".rlhf", "mimetype": "text/x-rlhf", "codemirror_mode": "shell",
    ]

    /// The notebook as nbformat 4.5 JSON.
    public var json: JSONValue {
        var metadata: [String: JSONValue] = ["kernelspec": Notebook.kernelspec, "language_info": Notebook.languageInfo]
        if let lesson { metadata["rlhf"] = ["lesson": .string(lesson)] }
        return .object([
            "cells": .array(cells.map(\.json)),
            "metadata": .object(metadata),
            "nbformat": 4,
            "nbformat_minor": 5,
        ])
    }

    /// The file's text: sorted keys, one-space indent, a final newline (as Jupyter saves it).
    public var text: String { NotebookJSON.text(json) }
}

extension Notebook.Cell {
    var json: JSONValue {
        switch self {
        case .markdown(let id, let source):
            return ["cell_type": "markdown", "id": .string(id), "metadata": [:], "source": NotebookJSON.lines(source)]
        case .code(let cell):
            var metadata: [String: JSONValue] = [:]
            if cell.sourceHidden { metadata["jupyter"] = ["source_hidden": true] }
            if !cell.tags.isEmpty { metadata["tags"] = .array(cell.tags.map(JSONValue.string)) }
            return [
                "cell_type": "code",
                "id": .string(cell.id),
                "execution_count": cell.executionCount.map(JSONValue.int) ?? .null,
                "metadata": .object(metadata),
                "outputs": .array(cell.outputs.map(\.json)),
                "source": NotebookJSON.lines(cell.source),
            ]
        }
    }
}

extension Notebook.Output {
    var json: JSONValue {
        switch self {
        case .stream(let name, let text):
            return ["output_type": "stream", "name": .string(name), "text": NotebookJSON.lines(text)]
        case .result(let data, let executionCount):
            var fields: [String: JSONValue] = [
                "output_type": executionCount == nil ? "display_data" : "execute_result",
                "data": .object(data.mapValues(NotebookJSON.lines)),
                "metadata": [:],
            ]
            if let executionCount { fields["execution_count"] = .int(executionCount) }
            return .object(fields)
        case .error(let name, let value, let traceback):
            return ["output_type": "error", "ename": .string(name), "evalue": .string(value),
                    "traceback": .array(traceback.map(JSONValue.string))]
        }
    }

    /// The lines `rlhf check` compares for the command that gave these outputs: stdout streams
    /// and results' text/plain in order, then stderr streams and the error's traceback, with
    /// trailing whitespace and trailing blank lines removed (`LessonChecker.outputLines`).
    /// A client comparing a notebook with its lesson does the same.
    public static func checkedLines(_ outputs: [Notebook.Output]) -> [String] {
        var stdout = "", stderr = ""
        for output in outputs {
            switch output {
            case .stream(let name, let text): if name == "stdout" { stdout += text } else { stderr += text }
            case .result(let data, _): if let text = data["text/plain"], !text.isEmpty { stdout += text + "\n" }
            case .error(_, _, let traceback): stderr += traceback.joined(separator: "\n") + "\n"
            }
        }
        return LessonFile.outputLines(stdout + stderr)
    }
}
