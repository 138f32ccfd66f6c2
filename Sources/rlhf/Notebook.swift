import ArgumentParser
import Foundation
import Lab

/// `rlhf notebook [FILES...] [-o FILE.ipynb] [--check]`: turns lessons into Jupyter notebooks
/// (nbformat 4.5) with the outputs of a real run, as `rlhf check` runs them.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Turn lessons into Jupyter notebooks with the outputs of a real run.",
        discussion: """
            With no files, converts every lessons/NN-name.md. Each lesson runs top to bottom as \
            `rlhf check` runs it; prose becomes Markdown cells, each ```rlhf block a code cell with \
            its outputs (text, HTML tables, SVG charts), hidden blocks cells tagged hide-input. \
            Writes lessons/notebooks/NN-name.ipynb beside each lesson's folder, or -o FILE for one \
            lesson. --check writes nothing: it exits 1 naming each notebook that differs from what \
            the lesson gives now (stale or missing), as CI does.
            """)

    @Argument(help: "Lesson files (default: lessons/[0-9][0-9]-*.md).")
    var files: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the notebook (one lesson only).", valueName: "file.ipynb"))
    var output: String?

    @Flag(help: "Compare with the notebooks on disk instead of writing them; exit 1 if any is stale.")
    var check = false

    func validate() throws {
        if output != nil && files.count != 1 { throw ValidationError("-o FILE needs exactly one lesson file") }
    }

    func run() throws {
        let paths = try Check.lessonPaths(files)
        let start = Date()
        var failed = 0
        var stale: [String] = []
        for path in paths {
            let lessonStart = Date()
            let target = output ?? LessonNotebook.defaultOutputPath(for: path)
            do {
                let conversion = try convert(path)
                for mismatch in conversion.mismatches {
                    printError("warning: \(mismatch.file):\(mismatch.line): \(mismatch.message) (`rlhf check \(path)` shows the diff)")
                }
                let seconds = NotebookCommand.seconds(since: lessonStart)
                let cells = conversion.notebook.cells.count
                if check {
                    let current = LessonNotebook.isCurrent(conversion.notebook, at: target)
                    if !current { stale.append(target) }
                    let state = FileManager.default.fileExists(atPath: target) ? "stale" : "missing"
                    print("\(target): \(current ? "up to date" : state) (\(seconds))")
                } else {
                    let changed = try LessonNotebook.write(conversion.notebook, to: target)
                    print("\(changed ? "wrote" : "unchanged") \(target): \(cells) cells (\(seconds))")
                }
            } catch {
                printError("error: \(error)")
                failed += 1
            }
        }
        if paths.count > 1 { print("\(paths.count) lessons in \(NotebookCommand.seconds(since: start))") }
        if !stale.isEmpty {
            printError("stale notebooks (run `rlhf notebook` and commit them): \(stale.joined(separator: ", "))")
        }
        if failed > 0 || !stale.isEmpty { throw ExitCode(1) }
    }

    /// Reads and runs one lesson; a file that is not a lesson is a one-line error.
    func convert(_ path: String) throws -> LessonNotebook.Conversion {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw NotebookInputError("\(path): no such file")
        }
        guard !isFolder.boolValue, path.hasSuffix(".md") else {
            throw NotebookInputError("\(path): not a lesson (a Markdown file such as lessons/00-welcome.md)")
        }
        let lesson = try LessonFile.load(path)
        guard !lesson.blocks.isEmpty else {
            throw NotebookInputError("\(path): not a lesson (no ```rlhf blocks)")
        }
        return try LessonNotebook.convert(lesson)
    }

    static func seconds(since start: Date) -> String {
        String(format: "%.1f s", Date().timeIntervalSince(start))
    }

    func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A file `rlhf notebook` cannot convert, said in one line.
struct NotebookInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
