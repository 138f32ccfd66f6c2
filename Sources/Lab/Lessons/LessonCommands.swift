/// The lesson-mode commands: `lesson`, `next`, `back`, `where` (see LessonMode.swift).
extension Command {
    static let lessonCommands: [Command] = [.lesson, .next, .back, .where]

    static let lesson = Command(
        "lesson", group: .lessons,
        arguments: "[<n>|<name>|stop] [--restart]",
        summary: "list the lessons, or start or resume lesson n",
        help: """
            With no argument, lists the lessons with your progress (blocks done of all blocks, \
            ✓ when finished). `lesson N` starts lesson N, or resumes it where you left off: it \
            sets the lesson's seed, replays the commands before your place quietly, shows the \
            text and types the next command for you at the prompt. Press Enter to run it (or \
            edit it first); the lesson then shows the next text and the next command. \
            --restart starts from the beginning; `lesson stop` leaves lesson mode (progress is \
            kept in $XDG_STATE_HOME/rlhf/lessons.json).
            """,
        examples: ["lesson", "lesson 0", "lesson welcome --restart", "lesson stop"],
        completion: .lessonNumbers,
        options: [OptionSpec("restart", "start the lesson from the beginning")],
        acceptsSettingOverrides: false
    ) { session, args in
        try args.expect(atMost: 1)
        let mode = LessonMode.of(session)
        guard let word = args[0] else {
            return CommandResult(text: mode.listing(unicode: session.unicode),
                                 fields: ["lessons": .array(mode.lessons.map { .string($0.name) })])
        }
        if word == "stop" { return CommandResult(text: try mode.stop(session: session)) }
        return CommandResult(text: try mode.start(word, restart: args.flag("restart"), session: session))
    }

    static let next = Command(
        "next", group: .lessons,
        summary: "lesson mode: skip to the next step",
        help: """
            Moves past the current step without running its command and shows the next text \
            and command. You rarely need it: running the pre-filled command (or, for an \
            exercise, any command) moves on by itself.
            """,
        examples: ["next"],
        acceptsSettingOverrides: false
    ) { session, args in
        try args.expect(atMost: 0)
        return CommandResult(text: try LessonMode.of(session).skip(session: session))
    }

    static let back = Command(
        "back", group: .lessons,
        summary: "lesson mode: go back to the previous command",
        help: """
            Shows the previous step's text again and types its command at the prompt. What \
            already ran is not undone: run it again to redo it.
            """,
        examples: ["back"],
        acceptsSettingOverrides: false
    ) { session, args in
        try args.expect(atMost: 0)
        return CommandResult(text: try LessonMode.of(session).back(session: session))
    }

    static let `where` = Command(
        "where", group: .lessons,
        summary: "lesson mode: which lesson and step you are at, and the next command",
        help: "Shows the lesson, the step (k of n), the blocks done, and the next command (typed for you again).",
        examples: ["where"],
        acceptsSettingOverrides: false
    ) { session, args in
        try args.expect(atMost: 0)
        return CommandResult(text: try LessonMode.of(session).whereText(session: session))
    }
}
