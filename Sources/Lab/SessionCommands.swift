import Numerics
import Foundation
import GPT2

/// The `:` commands: they act on the session, not on models.
extension Command {
    static let sessionCommands: [Command] = [.help, .set, .show, .seed, .read, .record, .quit]

    static let help = Command(
        ":help", aliases: ["help", "?"], group: .session,
        arguments: "[<command>|<setting>|<word>|@<group>]",
        summary: "list the commands, or show one command's card",
        help: """
            With no argument, lists every command grouped by pipeline stage. With a command name \
            (or a unique prefix) shows its card: usage, what it does, options, an example. \
            `@group` lists one group (e.g. @session); a setting name shows that setting; any \
            other word searches the help texts. `?`, `?CMD` and `CMD?` are shortcuts.
            """,
        examples: [":help :set", ":help @session", "?"],
        completion: .commands
    ) { session, args in
        try args.expect(atMost: 1)
        return try HelpText.run(session, topic: args[0])
    }

    static let set = Command(
        ":set", group: .session,
        arguments: "[<name> [<value>]]",
        summary: "change a setting (checked against its allowed range)",
        help: """
            `:set NAME VALUE` checks VALUE against the setting's type and range and echoes \
            `name: old -> new`. A value outside the range is refused, never clamped. `:set` alone \
            lists the settings that differ from their defaults; `:set NAME` shows one setting. \
            Pipeline verbs also take `--NAME VALUE` to change a setting for that one call. In a \
            name a dash may stand for an underscore: `top-k` is `top_k`.
            """,
        examples: [":set temperature 0.7", ":set ppo.clip 0.1", ":set"],
        completion: .settingThenValue
    ) { session, args in
        try args.expect(atMost: 2)
        let settings = session.settings
        guard let name = args[0] else {
            let changed = settings.changed
            if changed.isEmpty {
                return CommandResult(text: "all settings have their default values (:show lists them)",
                                     fields: ["changed": .object([:])])
            }
            return CommandResult(text: SettingsText.table(changed, session: session),
                                 fields: ["changed": SettingsText.json(changed, session: session)])
        }
        let spec = try settings.lookup(name)
        guard let text = args[1] else {
            return CommandResult(text: SettingsText.docTable([spec], session: session, allowed: true),
                                 fields: ["settings": SettingsText.json([spec], session: session)])
        }
        let (old, new) = try settings.set(spec.name, to: text)
        return CommandResult(text: "\(spec.name): \(old) -> \(new)",
                             fields: ["name": .string(spec.name), "old": old.json, "new": new.json])
    }

    static let show = Command(
        ":show", group: .session,
        arguments: "[<name>|<group>|all]",
        summary: "list settings with their values, defaults and docs",
        help: """
            Lists settings grouped by stage, each with its value, its default and a one-line \
            doc; a changed value is marked with *. Give a setting name, a group (session, \
            training, pretrain, sft, sampling, reward, policy, dpo) or a dotted scope such as \
            `ppo` to see fewer.
            """,
        examples: [":show sampling", ":show ppo", ":show temperature"],
        completion: .settingNames
    ) { session, args in
        try args.expect(atMost: 1)
        let specs = try SettingsText.select(args[0], in: session.settings)
        return CommandResult(text: SettingsText.grouped(specs, session: session),
                             fields: ["settings": SettingsText.json(specs, session: session)])
    }

    static let seed = Command(
        ":seed", group: .session,
        arguments: "<n>",
        summary: "restart the random numbers from seed n",
        help: """
            Sets the `seed` setting and restarts the session's random number generator, even if \
            the seed is unchanged, so the same commands give the same numbers again.
            """,
        examples: [":seed 42"],
        completion: .none
    ) { session, args in
        try args.expect(atMost: 1)
        let text = try args.string(0, name: "n")
        let new = try session.settings.validate("seed", text)
        let old = session.settings.value("seed")
        session.settings.assign("seed", new)
        if case .int(let n) = new { session.rng = RandomGenerator(seed: UInt64(n)) }
        return CommandResult(text: "seed: \(old) -> \(new) (random numbers restarted)",
                             fields: ["old": old.json, "new": new.json])
    }

    static let read = Command(
        ":read", group: .session,
        arguments: "<file>",
        summary: "run the commands in a script file",
        help: """
            Runs FILE one line at a time as if typed: `#` starts a comment line, blank lines are \
            skipped. Errors are shown as FILE:LINE: and the script goes on (`:set bail on` stops \
            it at the first error). Scripts may :read other scripts, up to 25 deep.
            """,
        examples: [":read setup.rlhf"],
        completion: .files
    ) { session, args in
        try args.expect(atMost: 1)
        let path = try args.string(0, name: "file")
        guard session.readDepth < Session.maxReadDepth else {
            throw args.error("scripts nested more than \(Session.maxReadDepth) deep at '\(path)'",
                             hint: "does a script :read itself?")
        }
        let contents: String
        do {
            let data = try BoundedFile.read(URL(fileURLWithPath: path), limit: 16 << 20)
            guard let text = String(data: data, encoding: .utf8) else { throw args.error("cannot read '\(path)'", hint: "is it a UTF-8 text file?") }
            contents = text
        } catch let error as BoundedFile.ReadError {
            throw args.error("cannot read '\(path)': \(error.problem)",
                             hint: FileManager.default.fileExists(atPath: path) ? "a script is a UTF-8 text file of at most 16 MB"
                                 : "paths are used as given (no ~ expansion), relative to \(FileManager.default.currentDirectoryPath)")
        }
        session.readDepth += 1
        defer { session.readDepth -= 1 }
        var ran = 0, failed = 0
        for (number, line) in textLines(contents).enumerated() {
            if session.quitRequested { break }
            if session.interrupt.isRequested {
                throw LabError(":read: interrupted at \(path):\(number + 1)", hint: "the lines before it ran; the rest did not")
            }
            let trimmed = String(line).trimmingWhitespace
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let outcome = session.execute(line: trimmed, location: SourceLocation(file: path, line: number + 1))
            ran += 1
            if !outcome.ok {
                failed += 1
                if session.settings.bool("bail") { break }
            }
        }
        return CommandResult(fields: ["file": .string(path), "ran": .int(ran), "failed": .int(failed)])
    }

    static let record = Command(
        ":record", group: .session,
        arguments: "<file> [--force]",
        summary: "save the session so far as a lesson-format transcript",
        help: """
            Writes every command typed so far and its output as Markdown: front matter with \
            the seed, then fenced ```rlhf blocks of `> command` lines, each followed by what it \
            printed (failed commands in ```rlhf,should-fail blocks). It is the lesson format, so \
            `rlhf check FILE` replays it and compares the outputs, and a recorded session can \
            become a lesson. Refuses to overwrite an existing file unless --force is given.
            """,
        examples: [":record my-session.md"],
        completion: .files,
        options: [OptionSpec("force", "overwrite FILE if it exists")]
    ) { session, args in
        try args.expect(atMost: 1)
        let path = try args.string(0, name: "file")
        if FileManager.default.fileExists(atPath: path) && !args.flag("force") {
            throw args.error("'\(path)' already exists", hint: "add --force to overwrite it")
        }
        let text = Transcript.markdown(session)
        // temporary file, fsync, rename: a crash leaves the old file or the new one, never half
        do { try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path)) }
        catch { throw args.error("cannot write '\(path)'", hint: "is its folder writable?") }
        let count = session.transcript.count
        return CommandResult(text: "recorded \(count) command\(count == 1 ? "" : "s") to \(path)",
                             fields: ["file": .string(path), "commands": .int(count)])
    }

    static let quit = Command(
        ":quit", aliases: ["quit", "exit"], group: .session,
        summary: "leave the lab (Ctrl-D does the same)",
        help: "Saves the command history and exits. In a script, stops the script and the session.",
        examples: [":quit"]
    ) { session, args in
        try args.expect(atMost: 0)
        session.quitRequested = true
        return .empty
    }
}

/// `:record`'s output: the session so far in the lesson format (see LessonFile.swift), so
/// `rlhf check FILE` replays it to the same outputs. The front matter carries the seed and width
/// the transcript began with (not the threads: no output depends on them); other settings
/// changed before it began are set again in a hidden block; commands that failed go in
/// `should-fail` blocks.
public enum Transcript {
    public static func lesson(_ session: Session) -> Lesson {
        var start: [String: SettingValue] = [:]
        for (name, value) in session.transcriptStartSettings { start[name] = value }
        func startInt(_ name: String) -> Int {
            if case .int(let n)? = start[name] ?? session.settings.spec(name)?.defaultValue { return n }
            return 0
        }
        var matter = Lesson.FrontMatter(title: "Recorded session", seed: startInt("seed"), width: startInt("width"))
        matter.source = nil
        var lesson = Lesson(file: "", frontMatter: matter, items: [
            .prose("# Recorded session\n\nRecorded with `:record` in RLHF Lab \(LabInfo.version).\n"),
        ])
        let setup = session.transcriptStartSettings.filter { !["seed", "width", "threads", "color"].contains($0.name) }
        if !setup.isEmpty {
            let steps = setup.map { name, value -> Lesson.Step in
                let old = session.settings.spec(name)?.defaultValue.description ?? ""
                var text = value.description
                if case .string(let s) = value, s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == ";" }) {
                    text = "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                }
                return Lesson.Step(command: ":set \(name) \(text)", expected: ["\(name): \(old) -> \(value)"])
            }
            lesson.items.append(.block(Lesson.Block(attributes: [.hidden], steps: steps)))
            lesson.items.append(.prose(""))
        }
        var index = 0
        let entries = session.transcript
        while index < entries.count {
            let ok = entries[index].ok
            var block = Lesson.Block(attributes: ok ? [] : [.shouldFail])
            while index < entries.count && entries[index].ok == ok {
                block.steps.append(Lesson.Step(command: entries[index].line, expected: LessonFile.outputLines(entries[index].output)))
                index += 1
            }
            lesson.items.append(.block(block))
            if index < entries.count { lesson.items.append(.prose("")) }
        }
        return lesson
    }

    public static func markdown(_ session: Session) -> String {
        LessonFile.write(lesson(session))
    }
}
