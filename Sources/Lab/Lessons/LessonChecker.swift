import Foundation
import GPT2
import Numerics

/// One command whose output (or success) was not what the lesson says.
public struct LessonMismatch: Sendable, CustomStringConvertible {
    public var file: String
    /// The file line of the first differing expected line (or of the command).
    public var line: Int
    public var command: String
    public var message: String
    /// `--- expected / +++ actual / @@` hunks; empty when only success/failure differed.
    public var diff: String
    /// The command succeeded in a should-fail block, or failed in another block (`--update`
    /// cannot fix that).
    public var statusDiffers: Bool

    public var description: String {
        "\(file):\(line): \(message)" + (diff.isEmpty ? "" : "\n" + diff)
    }
}

/// What checking one lesson found.
public struct LessonCheckReport: Sendable {
    /// The lesson as checked; after `update: true`, with the new expected outputs.
    public var lesson: Lesson
    public var blockCount = 0
    public var passedBlocks = 0
    public var mismatches: [LessonMismatch] = []
    /// Commands whose expected output `update` replaced.
    public var updatedSteps = 0
    public var ok: Bool { mismatches.isEmpty }
    /// What is still wrong after `update` rewrote the outputs.
    public var unfixable: [LessonMismatch] { mismatches.filter(\.statusDiffers) }
}

/// Runs a lesson top to bottom in a fresh session and compares every command's output with the
/// lesson text (cram, doctest). Used by `rlhf check` and the tests.
///
/// Each command's output is what the REPL shows: its stdout, then its stderr, with trailing
/// whitespace and trailing blank lines removed. Blocks:
///   - plain: the command must succeed and its output match;
///   - `hidden`: the same (hidden only means lesson mode does not show it);
///   - `no-check`: run; the output is not compared, but a failure is still reported;
///   - `should-fail`: every command must fail, and its error output match.
/// `update: true` replaces the expected output of each mismatching command with the actual
/// output in full (a `...` in it is lost; matching commands, `...` and tolerated numbers are
/// left as written; `no-check` blocks are never rewritten).
public enum LessonChecker {
    /// A capturing session set up as the lesson asks: colour off, unicode on, verbose 1, and
    /// the front matter's seed, width and threads (when it names them).
    public static func session(for lesson: Lesson) -> Session {
        let session = Session(console: .capturing())
        let matter = lesson.frontMatter
        var values: [(String, String)] = [("color", "off"), ("unicode", "on"), ("verbose", "1"), ("output", "text"),
                                          ("seed", String(matter.seed)), ("width", String(matter.width))]
        if let threads = matter.threads { values.append(("threads", String(threads))) }
        for (name, value) in values { _ = try? session.settings.set(name, to: value) }
        session.rng = RandomGenerator(seed: UInt64(matter.seed))
        session.applySettings()
        return session
    }

    /// The lines a command showed: stdout then stderr, trailing whitespace removed.
    public static func outputLines(_ outcome: CommandOutcome) -> [String] {
        LessonFile.outputLines(outcome.stdout + outcome.stderr)
    }

    public static func check(_ lesson: Lesson, update: Bool = false) -> LessonCheckReport {
        let session = session(for: lesson)
        var report = LessonCheckReport(lesson: lesson)
        let tolerance = lesson.frontMatter.tolerance
        for (itemIndex, item) in lesson.items.enumerated() {
            guard case .block(var block) = item else { continue }
            report.blockCount += 1
            var blockOK = true
            for (stepIndex, step) in block.steps.enumerated() {
                // No location: errors read as they do at the prompt (`error: ...`, not `FILE:LINE: error: ...`).
                let outcome = session.execute(line: step.command)
                let actual = outputLines(outcome)
                var problems: [String] = []
                if block.has(.shouldFail) && outcome.ok {
                    problems.append("`\(step.command)` succeeded, but its block is marked should-fail")
                } else if !block.has(.shouldFail) && !outcome.ok {
                    problems.append("`\(step.command)` failed (mark the block should-fail if the error is the point)")
                }
                var diff = ""
                var line = step.line
                if !block.has(.noCheck), let first = OutputMatch.firstDifference(expected: step.expected, actual: actual, tolerance: tolerance) {
                    diff = OutputMatch.unifiedDiff(expected: step.expected, actual: actual, tolerance: tolerance)
                    line = step.line + 1 + first
                    if problems.isEmpty { problems.append("output of `\(step.command)` differs") }
                    if update {
                        block.steps[stepIndex].expected = actual
                        report.updatedSteps += 1
                    }
                }
                if !problems.isEmpty {
                    blockOK = false
                    report.mismatches.append(LessonMismatch(file: lesson.file, line: line, command: step.command,
                                                            message: problems.joined(separator: "; "), diff: diff,
                                                            statusDiffers: block.has(.shouldFail) == outcome.ok))
                }
            }
            if blockOK { report.passedBlocks += 1 }
            report.lesson.items[itemIndex] = .block(block)
        }
        return report
    }

    /// Checks the lesson file at `path`; with `update`, rewrites it (atomically) when any
    /// expected output changed.
    public static func checkFile(_ path: String, update: Bool = false) throws -> LessonCheckReport {
        let lesson = try LessonFile.load(path)
        let report = check(lesson, update: update)
        if update && report.updatedSteps > 0 {
            try AtomicFile.write(Data(LessonFile.write(report.lesson).utf8), to: URL(fileURLWithPath: path))
        }
        return report
    }

    /// The lesson files in `folder`: `NN-name.md`, sorted.
    public static func lessonFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter(isLessonFileName).sorted().map { folder.appendingPathComponent($0) }
    }

    /// `00-welcome.md`: two digits, a dash, a name, `.md`.
    public static func isLessonFileName(_ name: String) -> Bool {
        let chars = Array(name)
        return chars.count > 6 && chars[0].isASCII && chars[0].isNumber && chars[1].isASCII && chars[1].isNumber
            && chars[2] == "-" && name.hasSuffix(".md")
    }
}
