import Foundation
import Lab
import Testing

let fixtureLessonPath = fixturesFolder.appendingPathComponent("lessons/00-fixture.md").path
let repositoryLessons = fixturesFolder.deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("lessons")

/// The lesson with every line number set to 0 (for comparing structure).
func withoutLineNumbers(_ lesson: Lesson) -> Lesson {
    var copy = lesson
    copy.items = lesson.items.map { item in
        guard case .block(var block) = item else { return item }
        block.line = 0
        for i in block.steps.indices { block.steps[i].line = 0 }
        return .block(block)
    }
    return copy
}

@Suite struct LessonFileTests {
    @Test func fixtureParsesWithEveryAttribute() throws {
        let lesson = try LessonFile.load(fixtureLessonPath)
        #expect(lesson.title == "Fixture lesson")
        #expect(lesson.frontMatter.seed == 3 && lesson.frontMatter.width == 80 && lesson.frontMatter.tolerance == 1e-3)
        let blocks = lesson.blocks
        #expect(blocks.map(\.attributes) == [[.hidden], [], [.noCheck], [.shouldFail], [.exercise, .noCheck]])
        #expect(blocks[1].steps.map(\.command) == [":show top_k", ":set temperature 0.7", ":show seed"])
        #expect(blocks[1].steps[0].expected == ["..."])
        let text = try String(contentsOfFile: fixtureLessonPath, encoding: .utf8)
        let commandLine = text.components(separatedBy: "\n").firstIndex(of: "> :set temperature 0.7")! + 1
        #expect(blocks[1].steps[1].line == commandLine)
    }

    @Test func writeThenParseRoundTrips() throws {
        let text = try String(contentsOfFile: fixtureLessonPath, encoding: .utf8)
        let lesson = try LessonFile.parse(text, file: "f.md")
        #expect(LessonFile.write(lesson) == text)           // the fixture is in canonical form
        let again = try LessonFile.parse(LessonFile.write(lesson), file: "f.md")
        #expect(again == lesson)
        // Output lines that look like syntax survive a round trip through the writer.
        let tricky = Lesson(file: "t.md", items: [.block(Lesson.Block(steps: [
            Lesson.Step(command: ":x", expected: ["> not a command", "\\back", "```", "~~~ also", "", "last"]),
        ]))])
        let parsed = try LessonFile.parse(LessonFile.write(tricky), file: "t.md")
        #expect(withoutLineNumbers(parsed) == withoutLineNumbers(tricky))
        #expect(LessonFile.write(Lesson(file: "empty.md")) == "")
    }

    @Test(arguments: [
        ("---\ntitle: x\n", 1, "never closed"),
        ("---\nsede: 1\n---\n", 2, "did you mean 'seed'"),
        ("---\nseed: -1\n---\n", 2, "seed: -1 is negative"),
        ("---\ntolerance: lots\n---\n", 2, "tolerance"),
        ("---\nseed: 1\nseed: 2\n---\n", 3, "twice"),
        ("text\n```rlhf\n> :help\n", 2, "never closed"),
        ("```sh\necho\n", 1, "never closed"),
        ("```rlhf,hiden\n> :help\n```\n", 1, "did you mean 'hidden'"),
        ("```rlhf\noutput first\n> :help\n```\n", 2, "before the first"),
        ("```rlhf\n> :help\n>> more\n```\n", 3, "continuation"),
        ("```rlhf\n>:help\n```\n", 2, "'> '"),
        ("```rlhf\n>\n```\n", 2, "without a command"),
    ])
    func malformedInputIsAOneLineErrorWithItsLine(text: String, line: Int, message: String) {
        do {
            _ = try LessonFile.parse(text, file: "bad.md")
            Issue.record("expected an error for \(text.debugDescription)")
        } catch let error as LessonFormatError {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("bad.md:\(line): "))
            #expect(error.description.contains(message), "\(error)")
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func quotedFencesInOtherCodeBlocksAreProse() throws {
        let text = "````markdown\n```rlhf\n> :help\n```\n````\n"
        let lesson = try LessonFile.parse(text, file: "readme.md")
        #expect(lesson.blocks.isEmpty)
        #expect(LessonFile.write(lesson) == text)
    }

    /// 2,000 seeded random mutations of the fixture: each must parse or throw a
    /// LessonFormatError (never crash), and what parses must survive write + parse.
    @Test func randomMutationsParseOrThrow() throws {
        let original = try String(contentsOfFile: fixtureLessonPath, encoding: .utf8)
        let pieces = ["```", "```rlhf", "```rlhf,hidden", "```rlhf,hiden", "````", "~~~", "---", "> :help", ">> more",
                      ">", ">x", "...", "\\", "\\...", "title: t", "seed: 99999999999", "tolerance: -1",
                      "**Try it** go", "", " ", "\r", "é", "\u{0}", "```rlhf exercise should-fail"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {   // splitmix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
        var parsed = 0
        for _ in 0..<2000 {
            var lines = original.components(separatedBy: "\n")
            for _ in 0...next(4) {
                let at = next(lines.count + 1)
                switch next(6) {
                case 0 where !lines.isEmpty: lines.remove(at: min(at, lines.count - 1))
                case 1: lines.insert(pieces[next(pieces.count)], at: at)
                case 2 where !lines.isEmpty: lines.insert(lines[min(at, lines.count - 1)], at: at)
                case 3 where !lines.isEmpty:
                    let i = min(at, lines.count - 1)
                    var chars = Array(lines[i])
                    if !chars.isEmpty { chars.remove(at: next(chars.count)) }
                    lines[i] = String(chars)
                case 4: lines = Array(lines.prefix(at))
                default: lines.insert(pieces[next(pieces.count)] + pieces[next(pieces.count)], at: at)
                }
            }
            let text = lines.joined(separator: next(5) == 0 ? "\r\n" : "\n")
            do {
                let lesson = try LessonFile.parse(text, file: "m.md")
                parsed += 1
                let again = try LessonFile.parse(LessonFile.write(lesson), file: "m.md")
                #expect(withoutLineNumbers(again) == withoutLineNumbers(lesson), "round trip of:\n\(text)")
            } catch is LessonFormatError {
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(parsed > 100 && parsed < 2000, "parsed \(parsed) of 2000")
    }
}

@Suite struct OutputMatchTests {
    @Test func ellipsisSkipsAnyNumberOfLines() {
        let actual = ["a", "b", "c", "d"]
        #expect(OutputMatch.matches(expected: ["a", "...", "d"], actual: actual, tolerance: 0))
        #expect(OutputMatch.matches(expected: ["...", "b", "c", "d"], actual: actual, tolerance: 0))
        #expect(OutputMatch.matches(expected: ["a", "b", "c", "d", "..."], actual: actual, tolerance: 0))
        #expect(OutputMatch.matches(expected: ["..."], actual: [], tolerance: 0))
        #expect(!OutputMatch.matches(expected: ["a", "...", "x"], actual: actual, tolerance: 0))
        #expect(!OutputMatch.matches(expected: ["a", "b"], actual: actual, tolerance: 0))
    }

    @Test func numbersWithinTheTolerance() {
        func same(_ e: String, _ a: String, _ t: Double) -> Bool { OutputMatch.lineMatches(expected: e, actual: a, tolerance: t) }
        #expect(same("loss 0.6931", "loss 0.6932", 1e-3))          // relative
        #expect(!same("loss 0.6931", "loss 0.6941", 1e-3))
        #expect(same("x=0.0000", "x=0.0004", 1e-3))                // the absolute floor near zero
        #expect(same("r=+1.23 | r=-0.40", "r=+1.2301 | r=-0.4", 1e-3))
        #expect(same("step 10: 1.5e-3", "step 10: 1.5004e-3", 1e-3))
        #expect(!same("step 10", "step 11", 1e-3))
        #expect(!same("loss 0.5", "lost 0.5", 1e-3))               // text must match exactly
        #expect(!same("a 1 2", "a 1", 1e-3))
        #expect(!same("0.6931", "0.6932", 0))                       // tolerance 0: exact text
        #expect(same("0.6931", "0.6931", 0))
    }

    @Test func unifiedDiffShowsHunks() {
        let diff = OutputMatch.unifiedDiff(expected: ["a", "b", "c"], actual: ["a", "B", "c", "d"], tolerance: 0)
        #expect(diff == """
            --- expected
            +++ actual
            @@ -1,3 +1,4 @@
             a
            -b
            +B
             c
            +d
            """)
        #expect(OutputMatch.unifiedDiff(expected: ["a", "...", "z"], actual: ["a", "m", "n", "z"], tolerance: 0).isEmpty)
        let withEllipsis = OutputMatch.unifiedDiff(expected: ["a", "...", "z"], actual: ["a", "m", "y"], tolerance: 0)
        #expect(withEllipsis.contains("-z\n+y") || withEllipsis.contains("+y\n-z") || withEllipsis.hasSuffix("-z"), "\(withEllipsis)")
        #expect(OutputMatch.firstDifference(expected: ["a", "b"], actual: ["a", "c"], tolerance: 0) == 1)
    }
}

@Suite struct LessonCheckerTests {
    @Test func fixtureAndWelcomePass() throws {
        for path in [fixtureLessonPath, repositoryLessons.appendingPathComponent("00-welcome.md").path] {
            let report = try LessonChecker.checkFile(path)
            #expect(report.ok, "\(report.mismatches.map(\.description).joined(separator: "\n"))")
            #expect(report.blockCount > 0 && report.passedBlocks == report.blockCount)
        }
    }

    /// A copy of the fixture with `edit` applied, in a temporary folder.
    func editedFixture(_ edit: (String) -> String) throws -> String {
        let text = try String(contentsOfFile: fixtureLessonPath, encoding: .utf8)
        let path = temporaryDirectory().appendingPathComponent("00-edited.md").path
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func mismatchNamesTheLineAndShowsADiff() throws {
        let path = try editedFixture { $0.replacingOccurrences(of: "temperature: 1 -> 0.70004", with: "temperature: 1 -> 0.8") }
        let report = try LessonChecker.checkFile(path)
        #expect(report.mismatches.count == 1 && report.passedBlocks == report.blockCount - 1)
        let mismatch = try #require(report.mismatches.first)
        let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        #expect(mismatch.line == lines.firstIndex(of: "temperature: 1 -> 0.8")! + 1)
        #expect(mismatch.diff == "--- expected\n+++ actual\n@@ -1,1 +1,1 @@\n-temperature: 1 -> 0.8\n+temperature: 1 -> 0.7")
        #expect(mismatch.description.hasPrefix("\(path):\(mismatch.line): output of `:set temperature 0.7` differs\n--- expected"))
    }

    @Test func shouldFailAndFailureAreChecked() throws {
        let lesson = try LessonFile.parse("```rlhf,should-fail\n> :set top_k 3\ntop_k: 0 -> 3\n```\n```rlhf\n> :set top_p 2\n```\n", file: "s.md")
        let report = LessonChecker.check(lesson)
        #expect(report.mismatches.count == 2)
        #expect(report.mismatches[0].message.contains("succeeded, but its block is marked should-fail"))
        #expect(report.mismatches[0].diff.isEmpty && report.mismatches[0].statusDiffers)
        #expect(report.mismatches[1].message.contains("failed"))
        #expect(report.mismatches[1].diff.contains("+error: top_p: 2 is out of range"))
    }

    @Test func updateRewritesMismatchesOnly() throws {
        let path = try editedFixture {
            $0.replacingOccurrences(of: "top_k: 0 -> 5", with: "stale")
              .replacingOccurrences(of: "  hint: allowed: 0 < top_p <= 1\n", with: "")
        }
        let report = try LessonChecker.checkFile(path, update: true)
        #expect(report.updatedSteps == 2 && report.unfixable.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == (try String(contentsOfFile: fixtureLessonPath, encoding: .utf8)))   // `...` and 0.70004 kept
        #expect(try LessonChecker.checkFile(path).ok)
    }

    @Test func recordedSessionReplaysUnderCheck() throws {
        let session = makeSession()
        _ = try session.settings.set("seed", to: "11")        // before the transcript: front matter
        _ = try session.settings.set("verbose", to: "2")      // before the transcript: hidden :set block
        for line in [":show seed", ":set temperature 0.25", ":seed 5", ":set top_p 7", "tokens how do i make tea?", "nope", ":show top_p"] {
            session.execute(line: line)
        }
        let path = temporaryDirectory().appendingPathComponent("recorded.md").path
        #expect(session.execute(line: ":record \(path)").ok)
        let lesson = try LessonFile.load(path)
        #expect(lesson.frontMatter.seed == 11)
        #expect(lesson.blocks.map(\.attributes) == [[.hidden], [], [.shouldFail], [], [.shouldFail], []])
        let report = try LessonChecker.checkFile(path)
        #expect(report.ok, "\(report.mismatches.map(\.description).joined(separator: "\n"))")
    }

    @Test func lessonFileNames() {
        #expect(LessonChecker.isLessonFileName("00-welcome.md"))
        #expect(!LessonChecker.isLessonFileName("0-welcome.md"))
        #expect(!LessonChecker.isLessonFileName("00-welcome.txt"))
        #expect(LessonChecker.lessonFiles(in: repositoryLessons).map(\.lastPathComponent).first == "00-welcome.md")
    }
}
