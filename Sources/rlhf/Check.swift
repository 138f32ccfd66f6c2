import ArgumentParser
import Foundation
import Lab

/// `rlhf check [FILES...] [--update]`: runs lessons (or `:record` transcripts) and compares
/// every command's output with the text, as CI does (cram, doctest, `mdbook test`).
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run lessons and compare every command's output with the lesson text.",
        discussion: """
            With no files, checks every lessons/NN-name.md. Each lesson runs top to bottom in a \
            fresh session with its front matter's seed, width and threads (colour off). Prints \
            one line per lesson, and for each mismatch FILE:LINE and a unified diff (--- \
            expected, +++ actual); exits 1 if anything differs. --update writes the actual \
            output over each mismatching command's expected lines (in full: a `...` in them is \
            replaced); matching commands and no-check blocks are left as written.
            """)

    @Argument(help: "Lesson files (default: lessons/[0-9][0-9]-*.md).")
    var files: [String] = []

    @Flag(help: "Rewrite the expected output of mismatching commands with the actual output.")
    var update = false

    func run() throws {
        let paths = try Check.lessonPaths(files)
        var failed = 0, blocks = 0
        for path in paths {
            do {
                let report = try LessonChecker.checkFile(path, update: update)
                blocks += report.blockCount
                for mismatch in report.mismatches { print(mismatch.description + "\n") }
                let differing = report.blockCount - report.passedBlocks
                var line = "\(path): " + (differing == 0 ? "\(report.blockCount) blocks ok"
                                                          : "\(differing) of \(report.blockCount) blocks differ")
                if update && report.updatedSteps > 0 {
                    line += " (updated \(report.updatedSteps) command\(report.updatedSteps == 1 ? "" : "s"))"
                }
                print(line)
                if update ? !report.unfixable.isEmpty : !report.ok { failed += 1 }
            } catch {
                print("\(error)")
                failed += 1
            }
        }
        if paths.count > 1 {
            print(failed == 0 ? "\(paths.count) lessons, \(blocks) blocks ok" : "\(failed) of \(paths.count) lessons failed")
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// The files given, or every NN-name.md lesson in the lessons folder (`rlhf check` and
    /// `rlhf notebook` without files).
    static func lessonPaths(_ files: [String]) throws -> [String] {
        guard files.isEmpty else { return files }
        guard let folder = LabPaths.lessons else {
            throw ValidationError("no lessons folder found (run from the project folder, or set RLHF_HOME)")
        }
        let paths = LessonChecker.lessonFiles(in: folder).map { display($0.path) }
        if paths.isEmpty { throw ValidationError("no NN-name.md lessons in \(folder.path)") }
        return paths
    }

    /// A path relative to the working directory when it is inside it.
    static func display(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}
