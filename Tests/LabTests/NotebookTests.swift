import Foundation
import Lab
import Testing

/// A verb that prints a progress line while it runs, then shows a table (a stream, then a
/// result with text/html).
let tabulate = Command(
    "tabulate", group: .inspection, summary: "print a line, then show a table", help: "Test verb.", examples: ["tabulate"]
) { session, _ in
    session.log("working...")
    let table = TableDisplay(headers: ["name", "value"], rows: [["a", "1"], ["b", "2"]])
    return CommandResult([.table(table)], style: session.renderStyle)
}

/// A verb that warns on stderr, then fails.
let grumble = Command(
    "grumble", group: .inspection, summary: "warn, then fail", help: "Test verb.", examples: ["grumble"]
) { session, args in
    session.console.err("warning: about to fail")
    throw args.error("no luck", hint: "it never works")
}

let notebookTestTable = CommandTable(CommandTable.standard.commands + [tabulate, grumble])

let inlineLesson = """
    ---
    title: Inline lesson
    seed: 2
    ---
    Some prose.

    ```rlhf,hidden
    > :set temperature 0.5
    temperature: 1 -> 0.5
    ```

    ```rlhf
    > tabulate
    working...
    ...
    > :show temperature
    ...
    ```

    **Try it**: your own command.

    More prose.

    ```rlhf,should-fail
    > grumble
    ...
    > :set temperature -1
    ...
    ```

    ```rlhf,no-check
    > :show seed
    ```

    ```rlhf,exercise
    > tokens how do i make tea?
    ...
    ```
    """

@Suite struct NotebookTests {
    func convert(_ text: String = inlineLesson, file: String = "lessons/07-inline.md") throws -> LessonNotebook.Conversion {
        try LessonNotebook.convert(LessonFile.parse(text, file: file), table: notebookTestTable)
    }

    func code(_ cell: Notebook.Cell) -> Notebook.CodeCell? {
        if case .code(let code) = cell { return code }
        return nil
    }

    @Test func cellKindsIdsAndTags() throws {
        let conversion = try convert()
        #expect(conversion.mismatches.isEmpty)
        let cells = conversion.notebook.cells
        #expect(cells.map(\.id) == (1...cells.count).map { String(format: "lesson-07-cell-%02d", $0) })
        // No `# ` heading in the prose: the title heads the first Markdown cell of its own.
        #expect(cells[0] == .markdown(id: "lesson-07-cell-01", source: "# Inline lesson"))
        #expect(cells[1] == .markdown(id: "lesson-07-cell-02", source: "Some prose."))
        // First a hidden setup cell: a fresh kernel starts where `rlhf check` starts the lesson.
        let setup = try #require(cells.compactMap(code).first)
        #expect(setup.source == ":seed 2" && setup.tags == ["hide-input", "setup"] && setup.sourceHidden)
        #expect(setup.outputs == [.result(data: ["text/plain": "seed: 0 -> 2 (random numbers restarted)"], executionCount: 1)])
        let codes = Array(cells.compactMap(code).dropFirst())
        #expect(codes.map(\.source) == [":set temperature 0.5", "tabulate\n:show temperature", "", "grumble",
                                        ":set temperature -1", ":show seed", "tokens how do i make tea?"])
        #expect(codes.map(\.tags) == [["hide-input"], [], ["try-it"], ["raises-exception"], ["raises-exception"],
                                      ["no-check"], ["exercise"]])
        #expect(codes.map(\.sourceHidden) == [true, false, false, false, false, false, false])
        // Code cells that run are numbered 1, 2, 3...; the empty Try-it cell never ran.
        #expect(codes.map(\.executionCount) == [2, 3, nil, 4, 5, 6, 7])
        #expect(codes[2].outputs.isEmpty)
        // The Try-it paragraph ends its Markdown cell; the next prose is a new cell after the empty one.
        guard let tryIt = cells.firstIndex(where: { code($0)?.tags == ["try-it"] }) else { Issue.record("no try-it cell"); return }
        #expect(cells[tryIt - 1] == .markdown(id: String(format: "lesson-07-cell-%02d", tryIt), source: "**Try it**: your own command."))
        #expect(cells[tryIt + 1] == .markdown(id: String(format: "lesson-07-cell-%02d", tryIt + 2), source: "More prose."))
    }

    @Test func outputsAreStreamsResultsAndErrors() throws {
        let codes = Array(try convert().notebook.cells.compactMap(code).dropFirst())   // after the setup cell
        // tabulate: its line as a stream, its table as display_data with HTML; then :show's result
        // is the cell's execute_result.
        let outputs = codes[1].outputs
        #expect(outputs.count == 3)
        #expect(outputs[0] == .stream(name: "stdout", text: "working...\n"))
        guard case .result(let table, nil) = outputs[1], case .result(let show, 3) = outputs[2] else {
            Issue.record("expected display_data then execute_result: \(outputs)"); return
        }
        #expect(table["text/plain"]?.contains("name") == true)
        #expect(table["text/html"] != nil)
        #expect(show["text/plain"]?.contains("temperature") == true)
        #expect(show["text/html"] == nil)   // plain text has no HTML
        // grumble: the warning on stderr, then the error with the lines the REPL prints.
        #expect(codes[3].outputs == [
            .stream(name: "stderr", text: "warning: about to fail\n"),
            .error(name: "error", value: "grumble: no luck",
                   traceback: ["error: grumble: no luck", "  hint: it never works", "  usage: grumble"]),
        ])
        // The hidden setup cell keeps its output (only the input is hidden).
        guard case .result(let set, 2)? = codes[0].outputs.first else { Issue.record("no result"); return }
        #expect(set["text/plain"] == "temperature: 1 -> 0.5")
    }

    @Test func outputsGiveTheTextCheckCompares() throws {
        // The same lesson through `rlhf check`'s runner: every command's checked lines equal the
        // notebook's (converting verifies this per command; here for whole cells).
        let lesson = try LessonFile.parse(inlineLesson, file: "lessons/07-inline.md")
        let codes = try convert().notebook.cells.compactMap(code)
        let session = LessonChecker.session(for: lesson)
        session.table = notebookTestTable
        for cell in codes where !cell.source.isEmpty && !cell.tags.contains("setup") {
            var expected: [String] = []
            for line in cell.source.components(separatedBy: "\n") {
                expected += LessonChecker.outputLines(session.execute(line: line))
            }
            #expect(Notebook.Output.checkedLines(cell.outputs) == expected, "cell \(cell.id)")
        }
    }

    @Test func theSameLessonGivesTheSameBytes() throws {
        let first = try convert().notebook.text
        let second = try convert().notebook.text
        #expect(first == second)
        #expect(first.hasPrefix("{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",\n   \"id\": \"lesson-07-cell-01\","))
        #expect(first.hasSuffix("\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n"))
        // It is JSON, with the kernel's names in the metadata.
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        let metadata = object?["metadata"] as? [String: Any]
        #expect((metadata?["kernelspec"] as? [String: String])?["name"] == "rlhf")
        #expect((metadata?["language_info"] as? [String: String])?["file_extension"] == ".rlhf")
    }

    @Test func jsonIsWrittenAsJupyterWritesIt() {
        #expect(NotebookJSON.text(["b": [], "a": [:], "c": ["x", 1, .null, true]])
                == "{\n \"a\": {},\n \"b\": [],\n \"c\": [\n  \"x\",\n  1,\n  null,\n  true\n ]\n}\n")
        #expect(NotebookJSON.text("q\"\\\n\t\u{8}\u{1}é▏") == "\"q\\\"\\\\\\n\\t\\b\\u0001é▏\"\n")
        #expect(NotebookJSON.lines("a\nb\n") == ["a\n", "b\n"])
        #expect(NotebookJSON.lines("a\n\nb") == ["a\n", "\n", "b"])
        #expect(NotebookJSON.lines("") == [])
    }

    @Test func aCommandThatFailsOutsideShouldFailIsRefused() throws {
        let text = "```rlhf\n> grumble\n```\n"
        #expect(throws: LessonNotebook.Failure.self) { try convert(text) }
        let succeeds = "```rlhf,should-fail\n> :show seed\n```\n"
        #expect(throws: LessonNotebook.Failure.self) { try convert(succeeds) }
    }

    @Test func outputThatDiffersFromTheLessonIsReported() throws {
        let text = "# A heading\n```rlhf\n> :set temperature 0.5\ntemperature: 1 -> 0.7\n```\n"
        let conversion = try convert(text, file: "notes.md")
        #expect(conversion.mismatches.map(\.line) == [4])
        // A heading in the prose: no title cell; a file name that is not NN-name.md still gives ids.
        #expect(conversion.notebook.cells.map(\.id) == ["lesson-notes-cell-01", "lesson-notes-cell-02", "lesson-notes-cell-03"])
    }

    @Test func defaultOutputPaths() {
        #expect(LessonNotebook.defaultOutputPath(for: "lessons/03-sft.md") == "lessons/notebooks/03-sft.ipynb")
        #expect(LessonNotebook.defaultOutputPath(for: "/x/lessons/11-grpo.md") == "/x/lessons/notebooks/11-grpo.ipynb")
        #expect(LessonNotebook.defaultOutputPath(for: "03-sft.md") == "notebooks/03-sft.ipynb")
    }

    /// Every lesson has a committed notebook (`make test` regenerates them all and compares with
    /// `rlhf notebook --check`; that takes as long as `rlhf check`).
    @Test func everyLessonHasItsNotebook() throws {
        let lessons = LessonChecker.lessonFiles(in: repositoryLessons)
        #expect(lessons.count >= 11)
        for lesson in lessons {
            let path = LessonNotebook.defaultOutputPath(for: lesson.path)
            let data = try #require(FileManager.default.contents(atPath: path), "missing \(path): run rlhf notebook")
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(object?["nbformat"] as? Int == 4 && object?["nbformat_minor"] as? Int == 5, "\(path)")
        }
    }

    /// The welcome lesson needs no model and runs in a moment: its notebook must be current.
    @Test func welcomeNotebookIsCurrent() throws {
        let lesson = repositoryLessons.appendingPathComponent("00-welcome.md").path
        let conversion = try LessonNotebook.convertFile(lesson)
        let path = LessonNotebook.defaultOutputPath(for: lesson)
        #expect(LessonNotebook.isCurrent(conversion.notebook, at: path),
                "\(path) is stale: run `rlhf notebook lessons/00-welcome.md` and commit it")
    }
}
