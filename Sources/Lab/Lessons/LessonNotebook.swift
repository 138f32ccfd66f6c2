import Foundation
import GPT2

/// A lesson as a Jupyter notebook, with the outputs of a real run (`rlhf notebook`).
///
/// The lesson runs exactly as `rlhf check` runs it (`LessonChecker.session(for:)`: a fresh
/// session with the front matter's seed, width and threads, colour off), one command at a time.
/// The Markdown lesson stays the single source: the notebook is made from it and is stale when
/// the lesson or the lab's output changes.
///
///   - prose -> a Markdown cell (headed `# Title` when the lesson has no `# ` heading); a
///     `**Try it**` paragraph ends its cell and is followed by an empty code cell tagged `try-it`
///     for the student's own command (Jupyter skips empty cells on Run All);
///   - a ```rlhf block -> one code cell, its commands one per line, with their outputs: streams
///     printed while a command ran, each result as `display_data` (the cell's last result as
///     `execute_result`) with the MIME bundle of `MimeBundle.of`, a failure as an `error`;
///   - `hidden` -> the cell is tagged `hide-input` and its input collapsed (outputs still show);
///   - `should-fail` -> tagged `raises-exception` (so Run All goes on after its error), and one
///     cell per command, since a kernel stops a cell at its first error;
///   - `no-check` -> tagged `no-check` (a client comparing outputs skips it);
///   - before the first code cell, a hidden cell tagged `setup` runs `:seed N` (and `:set width
///     W`) from the front matter, so a fresh kernel starts where `rlhf check` starts;
///   - `exercise` -> tagged `exercise`: the example commands with their outputs, for the student
///     to edit (the lesson's later blocks rely on what they did, as `rlhf check` runs them).
/// Cell ids are `lesson-NN-cell-KK` (NN from the file name, KK counting all cells from 01), so
/// the same lesson and the same outputs give the same bytes.
public enum LessonNotebook {
    /// A notebook made from a lesson, and where the run disagreed with the lesson text (those
    /// commands show the run's output; `rlhf check` reports the same differences).
    public struct Conversion {
        public var notebook: Notebook
        public var mismatches: [LessonMismatch]
    }

    /// A lesson the notebook cannot be made from: a command failed outside a `should-fail`
    /// block (Run All would stop there), or succeeded inside one.
    public struct Failure: Error, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// Reads the lesson at `path` and runs it.
    public static func convertFile(_ path: String) throws -> Conversion {
        try convert(LessonFile.load(path))
    }

    /// `lessons/03-sft.md` -> `lessons/notebooks/03-sft.ipynb`.
    public static func defaultOutputPath(for lessonPath: String) -> String {
        let url = URL(fileURLWithPath: lessonPath)
        let name = url.deletingPathExtension().lastPathComponent + ".ipynb"
        let folder = (lessonPath as NSString).deletingLastPathComponent
        return ((folder.isEmpty ? "notebooks" : folder + "/notebooks") as NSString).appendingPathComponent(name)
    }

    /// `03-sft.md` -> `lesson-03`; another file name -> `lesson-` and its letters, digits, `-`, `_`.
    static func idPrefix(_ file: String) -> String {
        let name = (file as NSString).lastPathComponent
        if LessonChecker.isLessonFileName(name) { return "lesson-" + name.prefix(2) }
        let stem = (name as NSString).deletingPathExtension.unicodeScalars.filter {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_")
        }
        return "lesson-" + String(String.UnicodeScalarView(stem)).prefix(40)
    }

    /// Runs the lesson with the commands of `table` (tests add their own) and makes its notebook.
    public static func convert(_ lesson: Lesson, table: CommandTable = .standard) throws -> Conversion {
        let session = LessonChecker.session(for: lesson)
        session.table = table
        let recorder = NotebookRecorder(session: session)
        defer { session.presentResult = nil }
        let prefix = idPrefix(lesson.file)
        var cells: [Notebook.Cell] = []
        var mismatches: [LessonMismatch] = []
        var executionCount = 0
        func nextID() -> String { "\(prefix)-cell-" + String(format: "%02d", cells.count + 1) }

        let hasHeading = lesson.items.contains {
            if case .prose(let text) = $0 { return text.components(separatedBy: "\n").contains { $0.hasPrefix("# ") } }
            return false
        }
        if !hasHeading { cells.append(.markdown(id: nextID(), source: "# \(lesson.title)")) }

        // A hidden first code cell puts a fresh kernel where `rlhf check` starts the lesson (its
        // seed, and its width when not the default), so Restart and Run All gives these outputs.
        var setupDone = false
        func addSetupCell() throws {
            setupDone = true
            // As in a fresh kernel: `:seed N` says 0 -> N, `:set width W` says 100 -> W.
            _ = try? session.settings.set("seed", to: "0")
            _ = try? session.settings.set("width", to: "100")
            var lines = [":seed \(lesson.frontMatter.seed)"]
            if lesson.frontMatter.width != 100 { lines.append(":set width \(lesson.frontMatter.width)") }
            executionCount += 1
            var cell = Notebook.CodeCell(id: nextID(), source: lines.joined(separator: "\n"), executionCount: executionCount,
                                         tags: ["hide-input", "setup"], sourceHidden: true)
            for (index, line) in lines.enumerated() {
                let (outcome, recorded) = recorder.run(line)
                guard outcome.ok else { throw Failure(file: lesson.file, line: 1, message: "setup `\(line)` failed: \(outcome.stderr)") }
                var outputs = recorded
                if index == lines.count - 1 { markExecuteResult(&outputs, executionCount: executionCount) }
                cell.outputs += outputs
            }
            cells.append(.code(cell))
        }

        for item in lesson.items {
            if case .block = item, !setupDone { try addSetupCell() }
            switch item {
            case .prose(let text):
                for (markdown, tryIt) in proseParts(text) {
                    cells.append(.markdown(id: nextID(), source: markdown))
                    if tryIt { cells.append(.code(Notebook.CodeCell(id: nextID(), source: "", tags: ["try-it"]))) }
                }
            case .block(let block):
                guard !block.steps.isEmpty else { continue }
                // A should-fail block: a cell per command (a kernel stops a cell at its first error).
                let groups = block.has(.shouldFail) ? block.steps.map { [$0] } : [block.steps]
                for steps in groups {
                    executionCount += 1
                    var cell = Notebook.CodeCell(id: nextID(), source: steps.map(\.command).joined(separator: "\n"),
                                                 executionCount: executionCount, tags: tags(block),
                                                 sourceHidden: block.isHidden)
                    for (index, step) in steps.enumerated() {
                        let (outcome, recorded) = recorder.run(step.command)
                        try verify(step, block: block, lesson: lesson, outcome: outcome, outputs: recorded, mismatches: &mismatches)
                        var outputs = recorded
                        if index == steps.count - 1 { markExecuteResult(&outputs, executionCount: executionCount) }
                        cell.outputs += outputs
                    }
                    cells.append(.code(cell))
                }
            }
        }
        return Conversion(notebook: Notebook(cells: cells, lesson: (lesson.file as NSString).lastPathComponent),
                          mismatches: mismatches)
    }

    /// A block's attributes as cell tags (JupyterLab and nbclient know `hide-input` and
    /// `raises-exception`; the others say what the lesson meant).
    static func tags(_ block: Lesson.Block) -> [String] {
        block.attributes.map {
            switch $0 {
            case .hidden: "hide-input"
            case .shouldFail: "raises-exception"
            case .noCheck: "no-check"
            case .exercise: "exercise"
            }
        }
    }

    /// The last command's result is the cell's `execute_result` (its last result, when a command
    /// such as `:read` shows several); the other results stay `display_data`.
    static func markExecuteResult(_ outputs: inout [Notebook.Output], executionCount: Int) {
        guard let index = outputs.lastIndex(where: { if case .result = $0 { true } else { false } }),
              case .result(let data, _) = outputs[index] else { return }
        outputs[index] = .result(data: data, executionCount: executionCount)
    }

    /// Checks a command's status and output as `rlhf check` does; a status that would break
    /// Run All throws, a differing output is kept as a mismatch.
    static func verify(_ step: Lesson.Step, block: Lesson.Block, lesson: Lesson, outcome: CommandOutcome,
                       outputs: [Notebook.Output], mismatches: inout [LessonMismatch]) throws {
        let actual = LessonChecker.outputLines(outcome)
        guard Notebook.Output.checkedLines(outputs) == actual else {
            throw Failure(file: lesson.file, line: step.line,
                          message: "the notebook outputs of `\(step.command)` are not the text `rlhf check` compares (a bug in NotebookRecorder)")
        }
        if block.has(.shouldFail) && outcome.ok {
            throw Failure(file: lesson.file, line: step.line, message: "`\(step.command)` succeeded, but its block is marked should-fail (run rlhf check)")
        }
        if !block.has(.shouldFail) && !outcome.ok {
            throw Failure(file: lesson.file, line: step.line,
                          message: "`\(step.command)` failed: \(outcome.error?.message ?? "") (run rlhf check; mark the block should-fail if the error is the point)")
        }
        let tolerance = lesson.frontMatter.tolerance
        if !block.has(.noCheck), let first = OutputMatch.firstDifference(expected: step.expected, actual: actual, tolerance: tolerance) {
            mismatches.append(LessonMismatch(file: lesson.file, line: step.line + 1 + first, command: step.command,
                                             message: "output of `\(step.command)` differs from the lesson",
                                             diff: OutputMatch.unifiedDiff(expected: step.expected, actual: actual, tolerance: tolerance),
                                             statusDiffers: false))
        }
    }

    /// Prose cut into Markdown cells: blank lines at either end removed; a paragraph starting
    /// `**Try it**` ends its part (true: an empty code cell follows it), as lesson mode stops there.
    static func proseParts(_ text: String) -> [(markdown: String, tryIt: Bool)] {
        var parts: [(String, Bool)] = []
        var lines: [String] = []
        var inTryIt = false
        func flush(_ tryIt: Bool) {
            let markdown = LessonPlan.text(lines)
            if !markdown.isEmpty { parts.append((markdown, tryIt)) }
            lines = []
        }
        for line in text.components(separatedBy: "\n") {
            if line.trimmingWhitespace.isEmpty && inTryIt { flush(true); inTryIt = false }
            if line.hasPrefix("**Try it**") { inTryIt = true }
            lines.append(line)
        }
        flush(inTryIt)
        return parts
    }
}

// MARK: Files

extension LessonNotebook {
    /// Whether the file at `path` holds exactly `notebook` (false when it is missing).
    public static func isCurrent(_ notebook: Notebook, at path: String) -> Bool {
        FileManager.default.contents(atPath: path) == Data(notebook.text.utf8)
    }

    /// Writes `notebook` to `path` atomically, making its folder if needed; false when the file
    /// already held these bytes (it is left alone).
    @discardableResult
    public static func write(_ notebook: Notebook, to path: String) throws -> Bool {
        if isCurrent(notebook, at: path) { return false }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(notebook.text.utf8), to: url)
        return true
    }
}
