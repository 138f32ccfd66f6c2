import Foundation

/// A lesson cut into stops: the places where lesson mode waits for the student.
///   - `.command`: a command of a visible block, pre-filled at the prompt;
///   - `.exercise`: an `exercise` block: any command the student runs completes it;
///   - `.tryIt`: a prose paragraph starting `**Try it**`: any command completes it.
/// Each stop carries the prose shown before it and the hidden setup lines run when it is reached.
struct LessonPlan {
    struct Setup { var step: Lesson.Step; var expectFailure: Bool }
    enum Kind { case command(Lesson.Step), exercise([Lesson.Step]), tryIt }
    struct Stop {
        var kind: Kind
        var prose: [String] = []
        var setup: [Setup] = []
        /// Which visible block the stop belongs to (nil for `**Try it**`), for progress.
        var block: Int?
        /// The block is `should-fail` (replaying it must not warn).
        var expectFailure = false
    }

    var stops: [Stop] = []
    var trailingProse: [String] = []
    var trailingSetup: [Setup] = []
    var blockCount = 0

    init(_ lesson: Lesson) {
        var prose: [String] = [], setup: [Setup] = []
        func stop(_ kind: Kind, block: Int?, expectFailure: Bool = false) {
            stops.append(Stop(kind: kind, prose: prose, setup: setup, block: block, expectFailure: expectFailure))
            prose = []; setup = []
        }
        for item in lesson.items {
            switch item {
            case .prose(let text):
                var paragraph: [String] = []
                var tryIt = false
                for line in text.components(separatedBy: "\n") {
                    if line.trimmingWhitespace.isEmpty && tryIt {
                        prose.append(paragraph.joined(separator: "\n")); paragraph = []
                        stop(.tryIt, block: nil)
                        tryIt = false
                    }
                    if line.hasPrefix("**Try it**") { tryIt = true }
                    paragraph.append(line)
                }
                prose.append(paragraph.joined(separator: "\n"))
                if tryIt { stop(.tryIt, block: nil) }
            case .block(let block):
                if block.isHidden {
                    setup += block.steps.map { Setup(step: $0, expectFailure: block.has(.shouldFail)) }
                    continue
                }
                guard !block.steps.isEmpty else { continue }
                if block.has(.exercise) {
                    stop(.exercise(block.steps), block: blockCount, expectFailure: block.has(.shouldFail))
                } else {
                    for step in block.steps { stop(.command(step), block: blockCount, expectFailure: block.has(.shouldFail)) }
                }
                blockCount += 1
            }
        }
        trailingProse = prose
        trailingSetup = setup
    }

    /// Blocks whose every stop lies before `position`.
    func blocksDone(before position: Int) -> Int {
        var lastStop: [Int: Int] = [:]
        for (index, stop) in stops.enumerated() { if let block = stop.block { lastStop[block] = index } }
        return lastStop.values.filter { $0 < position }.count
    }

    /// Prose parts as the student reads them: blank lines at either end removed.
    static func text(_ parts: [String]) -> String {
        let lines = parts.joined(separator: "\n").components(separatedBy: "\n")
        guard let first = lines.firstIndex(where: { !$0.trimmingWhitespace.isEmpty }),
              let last = lines.lastIndex(where: { !$0.trimmingWhitespace.isEmpty }) else { return "" }
        return lines[first...last].joined(separator: "\n")
    }
}

/// One lesson file in the lessons folder.
public struct LessonEntry: Sendable {
    public var number: Int
    /// The file name without `.md`: `00-welcome`.
    public var name: String
    public var url: URL
}

/// Lesson mode: steps a student through a lesson in the REPL. After each command the student
/// runs, `Session.afterLine` calls `studentRan`, which moves past the pre-filled command (or
/// the exercise), prints the next prose and pre-fills the next command with `Session.prefill`.
/// Hidden blocks run quietly when reached. Progress is saved after every step.
public final class LessonMode {
    public static let key = ArtifactKey<LessonMode>("lesson-mode")
    /// Where `NN-name.md` files are found (nil: no lessons folder).
    public let folder: URL?
    public let progress: LessonProgress

    struct Active {
        var entry: LessonEntry
        var lesson: Lesson
        var plan: LessonPlan
        var position = 0
        /// Stops whose hidden setup already ran.
        var setupDone: Set<Int> = []
    }
    private(set) var active: Active?
    private var busy = false

    public init(folder: URL? = LabPaths.lessons, progress: LessonProgress = LessonProgress()) {
        self.folder = folder
        self.progress = progress
    }

    /// The session's lesson mode (made with the default folder and state file on first use).
    public static func of(_ session: Session) -> LessonMode {
        if let mode = session[key] { return mode }
        let mode = LessonMode()
        session[key] = mode
        return mode
    }

    public var isActive: Bool { active != nil }

    /// `NN-name.md` files of the folder, by number.
    public var lessons: [LessonEntry] {
        guard let folder else { return [] }
        return LessonChecker.lessonFiles(in: folder).compactMap { url in
            let name = url.deletingPathExtension().lastPathComponent
            guard let number = Int(name.prefix(2)) else { return nil }
            return LessonEntry(number: number, name: name, url: url)
        }
    }

    /// Lesson numbers for Tab.
    public var numbers: [String] { lessons.map { String($0.number) } }

    /// A lesson by number (`0`, `00`), file name (`00-welcome`) or name (`welcome`, or a prefix).
    func find(_ word: String) throws -> LessonEntry {
        let all = lessons
        guard !all.isEmpty else {
            throw LabError("no lessons found", hint: folder.map { "no NN-name.md files in \($0.path)" } ?? "run rlhf from the project folder, or set RLHF_HOME")
        }
        if let number = Int(word), let entry = all.first(where: { $0.number == number }) { return entry }
        let lower = word.lowercased()
        if let entry = all.first(where: { $0.name == lower || $0.name.dropFirst(3) == lower }) { return entry }
        let prefixed = all.filter { $0.name.dropFirst(3).hasPrefix(lower) }
        if prefixed.count == 1 { return prefixed[0] }
        throw LabError("no lesson '\(word)'", hint: "lessons: " + all.map { "\($0.number) (\($0.name))" }.joined(separator: ", "))
    }

    // MARK: Listing

    public func listing(unicode: Bool) -> String {
        let all = lessons
        guard !all.isEmpty else { return "no lessons found" + (folder.map { " in \($0.path)" } ?? "") }
        var rows: [String] = ["Lessons (`lesson N` starts or resumes one):"]
        for entry in all {
            let label = "  " + Format.fit(String(entry.number), 4)
            guard let lesson = try? LessonFile.load(entry.url.path) else {
                rows.append(label + entry.name + "  (cannot be read: `rlhf check` says why)")
                continue
            }
            let plan = LessonPlan(lesson)
            let saved = progress[entry.name]
            let finished = saved?.finished ?? false
            let done = finished ? plan.blockCount : plan.blocksDone(before: saved?.step ?? 0)
            let mark = finished ? (unicode ? "  ✓" : "  done") : (active?.entry.name == entry.name ? "  <- current" : "")
            rows.append(label + Format.fit(lesson.title, 44) + "  \(done)/\(plan.blockCount) blocks" + mark)
        }
        return rows.joined(separator: "\n")
    }

    // MARK: Starting and stepping

    /// `lesson N`: starts lesson N, or resumes it where the student left off (replaying the
    /// commands before that point quietly, so the models are as the lesson expects).
    public func start(_ word: String, restart: Bool, session: Session) throws -> String {
        let entry = try find(word)
        if let active, active.entry.name == entry.name, !restart {
            return "(lesson \(entry.number) is running)\n" + display(session)
        }
        let lesson: Lesson
        do { lesson = try LessonFile.load(entry.url.path) }
        catch { throw LabError("lesson \(entry.number) cannot be read: \(error)", hint: "`rlhf check \(entry.url.path)` shows the problem") }
        let plan = LessonPlan(lesson)
        let saved = progress[entry.name]
        var position = (restart || saved?.finished == true) ? 0 : min(saved?.step ?? 0, plan.stops.count)
        if position >= plan.stops.count { position = 0 }
        active = Active(entry: entry, lesson: lesson, plan: plan, position: position)
        session.afterLine = { [weak self, unowned session] outcome in self?.studentRan(outcome, session: session) ?? "" }

        var header = ["Lesson \(entry.number): \(lesson.title) (\(plan.stops.count) steps)"]
        let matter = lesson.frontMatter
        var setup = [":seed \(matter.seed)"]
        if session.settings.int("width") != matter.width { setup.append(":set width \(matter.width)") }
        if let threads = matter.threads, session.settings.int("threads") != threads { setup.append(":set threads \(threads)") }
        var failures = run(setup.map { LessonPlan.Setup(step: Lesson.Step(command: $0), expectFailure: false) }, session: session)
        if position > 0 {
            var replay: [LessonPlan.Setup] = []
            for index in 0..<position {
                let stop = plan.stops[index]
                replay += stop.setup
                switch stop.kind {
                case .command(let step): replay.append(.init(step: step, expectFailure: stop.expectFailure))
                case .exercise(let steps): replay += steps.map { .init(step: $0, expectFailure: stop.expectFailure) }
                case .tryIt: break
                }
                active?.setupDone.insert(index)
            }
            failures += run(replay, session: session)
            header.append("Resuming at step \(position + 1): replayed the \(replay.count) commands before it.")
        }
        header.append("Each command is typed for you at the prompt: press Enter to run it, or edit it first.")
        header.append("`where` shows your place, `next` skips a step, `back` goes back one, `lesson` lists the lessons.")
        header += failures
        return header.joined(separator: "\n") + "\n\n" + arrive(session: session) + "\n"
    }

    /// Runs lesson lines quietly (recorded in the transcript like typed lines); returns a line
    /// per unexpected failure.
    func run(_ lines: [LessonPlan.Setup], session: Session) -> [String] {
        busy = true
        let wasMuted = session.console.isMuted
        session.console.isMuted = true
        defer { busy = false; session.console.isMuted = wasMuted }
        var failures: [String] = []
        for line in lines {
            let nested = session.executeDepth > 0
            let location = line.step.line > 0 ? SourceLocation(file: active?.lesson.file ?? "", line: line.step.line) : nil
            let start = session.console.chunks.count
            let outcome = session.execute(line: line.step.command, location: location)
            if nested {
                session.record(outcome)
                session.console.truncateChunks(to: start)
            }
            if !outcome.ok && !line.expectFailure {
                let place = location.map { "\($0.file):\($0.line): " } ?? ""
                failures.append("warning: \(place)lesson setup `\(line.step.command)` failed: \(outcome.error?.message ?? "error")")
            }
        }
        return failures
    }

    /// Reaches the current stop: runs its hidden setup (once), then shows it. At the end of
    /// the lesson, shows the closing prose and leaves lesson mode.
    func arrive(session: Session) -> String {
        guard var current = active else { return "" }
        saveProgress()
        let warning = saveWarning.map { [$0] } ?? []
        saveWarning = nil
        let plan = current.plan
        guard current.position < plan.stops.count else {
            let failures = run(plan.trailingSetup, session: session)
            let closing = LessonPlan.text(plan.trailingProse)
            let check = session.unicode ? "✓" : "done:"
            active = nil
            session.afterLine = nil
            return (warning + failures + [closing, "\(check) lesson \(current.entry.number) finished. `lesson` lists the lessons."])
                .filter { !$0.isEmpty }.joined(separator: "\n\n")
        }
        var failures: [String] = []
        if !current.setupDone.contains(current.position) {
            failures = run(plan.stops[current.position].setup, session: session)
            current.setupDone.insert(current.position)
            active = current
        }
        return (warning + failures + [display(session)]).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// The current stop's prose and prompt; pre-fills its command.
    func display(_ session: Session) -> String {
        guard let current = active, current.position < current.plan.stops.count else { return "" }
        let stop = current.plan.stops[current.position]
        let prose = LessonPlan.text(stop.prose).components(separatedBy: "\n").map {
            $0.hasPrefix("#") ? ANSI.paint($0, ANSI.bold, if: session.colorEnabled) : $0
        }.joined(separator: "\n")
        var parts = [prose]
        switch stop.kind {
        case .command(let step):
            session.prefill(step.command)
        case .exercise(let steps):
            parts.append("Exercise: run a command of your own (`next` moves on). For example:\n"
                         + steps.map { "  > " + $0.command }.joined(separator: "\n"))
        case .tryIt:
            parts.append("(run any command to go on; `next` moves on)")
        }
        return parts.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    /// Called after every top-level line while a lesson runs (see `Session.afterLine`).
    func studentRan(_ outcome: CommandOutcome, session: Session) -> String {
        guard !busy, let current = active, current.position < current.plan.stops.count else { return "" }
        if let name = outcome.command, LessonMode.commandNames.contains(name) { return "" }
        guard let ran = outcome.command else {
            prefillPending(session)   // a typo or unknown command: offer the step again
            return ""
        }
        if case .command(let step) = current.plan.stops[current.position].kind {
            let pending = (try? CommandLineWords.words(step.command)).flatMap(\.first).flatMap { try? session.table.resolve($0) }
            guard pending?.name == ran else {
                session.prefill(step.command)   // something else: the step waits, pre-filled again
                return ""
            }
        }
        active?.position += 1
        // A blank line between the command's output and the text, and before the prompt.
        let text = arrive(session: session)
        return text.isEmpty ? "" : "\n" + text + "\n"
    }

    private func prefillPending(_ session: Session) {
        if let current = active, case .command(let step) = current.plan.stops[current.position].kind { session.prefill(step.command) }
    }

    static let commandNames: Set<String> = ["lesson", "next", "back", "where"]

    /// `next`: skips the current stop without running it.
    public func skip(session: Session) throws -> String {
        guard let current = active else { throw LessonMode.notRunning }
        var note = ""
        if current.position < current.plan.stops.count, case .command(let step) = current.plan.stops[current.position].kind {
            note = "(skipped `\(step.command)`; later steps may expect what it did)\n"
        }
        active?.position += 1
        return note + arrive(session: session) + "\n"
    }

    /// `back`: shows the previous command again (what already ran is not undone).
    public func back(session: Session) throws -> String {
        guard let current = active else { throw LessonMode.notRunning }
        guard current.position > 0 else { throw LabError("back: this is the first step of the lesson", hint: "`where` shows your place") }
        active?.position -= 1
        saveProgress()
        return "(back to step \(current.position) of \(current.plan.stops.count); what already ran is not undone)\n\n" + display(session) + "\n"
    }

    /// `where`: the lesson, the step and what comes next.
    public func whereText(session: Session) throws -> String {
        guard let current = active else { throw LessonMode.notRunning }
        let plan = current.plan
        var lines = ["lesson \(current.entry.number) (\(current.entry.name)): \(current.lesson.title)",
                     "step \(current.position + 1) of \(plan.stops.count), \(plan.blocksDone(before: current.position))/\(plan.blockCount) blocks done"]
        switch plan.stops[current.position].kind {
        case .command(let step):
            lines.append("next: > \(step.command)")
            session.prefill(step.command)
        case .exercise: lines.append("next: an exercise (run any command; `next` moves on)")
        case .tryIt: lines.append("next: try something (run any command; `next` moves on)")
        }
        return lines.joined(separator: "\n")
    }

    /// `lesson stop`: leaves lesson mode; the progress stays saved.
    public func stop(session: Session) throws -> String {
        guard let current = active else { throw LessonMode.notRunning }
        active = nil
        session.afterLine = nil
        return "left lesson \(current.entry.number) at step \(current.position + 1); `lesson \(current.entry.number)` resumes it"
    }

    static let notRunning = LabError("no lesson is running", hint: "`lesson` lists the lessons; `lesson 0` starts the first")

    private var saveWarning: String?
    func saveProgress() {
        guard let current = active else { return }
        let count = current.plan.stops.count
        let finished = current.position >= count
        do { try progress.set(current.entry.name, .init(step: min(current.position, count), steps: count, finished: finished)) }
        catch { saveWarning = "warning: lesson progress not saved: \(error)" }
    }
}
