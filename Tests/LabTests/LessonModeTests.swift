import Foundation
import Lab
import Testing

/// Lesson mode driven through `session.execute`, the way the REPL drives it.
@Suite struct LessonModeTests {
    /// A session whose lesson mode reads the repository's lessons and keeps progress in `state`;
    /// `prefilled` collects what would appear at the prompt.
    final class Student {
        let session = makeSession()
        var prefilled: [String] = []
        init(state: URL) {
            session[LessonMode.key] = LessonMode(folder: repositoryLessons, progress: LessonProgress(url: state))
            session.prefill = { [unowned self] in self.prefilled.append($0) }
        }
        /// Runs what is pre-filled at the prompt (pressing Enter).
        @discardableResult func enter() -> CommandOutcome { session.execute(line: prefilled.last!) }
    }

    @Test func stepsThroughTheWelcomeLesson() throws {
        let state = temporaryDirectory().appendingPathComponent("state/lessons.json")
        let student = Student(state: state)
        let session = student.session
        #expect(session.lessonNumbers().contains("0"))

        let start = session.execute(line: "lesson 0")
        #expect(start.ok, "\(start.stderr)")
        #expect(start.stdout.hasPrefix("Lesson 0: Welcome to RLHF Lab (9 steps)\n"))
        #expect(start.stdout.contains("In lesson mode each command is typed for you."))
        #expect(student.prefilled.last == ":help")

        // Enter: the command runs, then the next text and command follow.
        let help = student.enter()
        #expect(help.stdout.contains("Session (@session)"))
        #expect(help.stdout.contains("`:help` with a command name shows that command's card"))
        #expect(student.prefilled.last == ":help :seed")
        #expect(session.execute(line: "where").stdout.contains("step 2 of 9, 1/7 blocks done\nnext: > :help :seed"))

        // Another command does not advance; the step is offered again.
        session.execute(line: ":show seed")
        #expect(student.prefilled.last == ":help :seed")
        #expect(session.execute(line: "where").stdout.contains("step 2 of 9"))

        // Editing the pre-filled command still counts as running it.
        session.execute(line: ":help :set")
        #expect(student.prefilled.last == ":show sampling")
        let back = session.execute(line: "back")
        #expect(back.stdout.hasPrefix("(back to step 2 of 9"))
        #expect(student.prefilled.last == ":help :seed")
        student.enter()
        #expect(student.prefilled.last == ":show sampling")

        // Progress is saved after every step.
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any]
        let entry = (saved?["lessons"] as? [String: Any])?["00-welcome"] as? [String: Any]
        #expect(entry?["step"] as? Int == 2 && entry?["steps"] as? Int == 9 && entry?["finished"] as? Bool == false)

        // A new session resumes at step 3, replaying the two commands before it.
        let again = Student(state: state)
        let resumed = again.session.execute(line: "lesson welcome")
        #expect(resumed.stdout.contains("Resuming at step 3: replayed the 2 commands before it."))
        #expect(again.prefilled.last == ":show sampling")
        #expect(again.session.execute(line: "lesson").stdout.contains("Welcome to RLHF Lab                           2/7 blocks  <- current"))

        // Enter through the rest: the should-fail step, the **Try it** pause, the end.
        again.enter()                                                   // :show sampling
        again.enter()                                                   // :set temperature 0.7
        let error = again.enter()                                       // :set temperature -1
        #expect(!error.ok && error.stdout.contains("## Tokens"))
        again.enter()
        let tryIt = again.enter()
        #expect(tryIt.stdout.contains("**Try it**") && tryIt.stdout.contains("(run any command to go on"))
        let own = again.session.execute(line: "tokens the cat")              // any command completes it
        #expect(own.stdout.contains("## Random numbers"))
        #expect(again.prefilled.last == ":seed 42")
        let end = again.enter()
        #expect(end.stdout.contains("✓ lesson 0 finished."))
        #expect(!(try #require(again.session[LessonMode.key])).isActive)
        #expect(again.session.execute(line: "lesson").stdout.contains("7/7 blocks  ✓"))
        #expect(!again.session.execute(line: "next").ok)             // no lesson running
    }

    @Test func nextSkipsAndErrorsAreHelpful() throws {
        let student = Student(state: temporaryDirectory().appendingPathComponent("lessons.json"))
        let session = student.session
        #expect(session.execute(line: "where").stderr.contains("no lesson is running"))
        #expect(session.execute(line: "lesson 42").stderr.contains("no lesson '42'"))
        session.execute(line: "lesson 0")
        #expect(session.execute(line: "back").stderr.contains("first step"))
        let skipped = session.execute(line: "next")
        #expect(skipped.stdout.hasPrefix("(skipped `:help`;"))
        #expect(student.prefilled.last == ":help :seed")
        #expect(session.execute(line: "lesson stop").stdout.hasPrefix("left lesson 0 at step 2"))
        session.execute(line: ":help :seed")                          // no lesson: nothing advances
        #expect(student.prefilled.last == ":help :seed" && student.prefilled.count == 2)
    }
}
