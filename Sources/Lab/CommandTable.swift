// The REPL's command table: dispatch, unique-prefix lookup, "did you mean".
//
// HOW TO ADD A PIPELINE VERB (one declaration plus one line):
//
// 1. In a new file, e.g. Sources/Lab/Commands/Sample.swift, declare the command:
//
//        extension Command {
//            static let sample = Command(
//                "sample", group: .sampling,
//                arguments: "[<count>] [--prompt <text>]",
//                summary: "draw responses from the policy",
//                help: """
//                    Draws <count> responses (default: the `samples` setting) at the current
//                    temperature, top_k and top_p. Any setting can be overridden for one call.
//                    """,
//                examples: ["sample 4 --temperature 0.7"],
//                completion: .none,
//                options: [OptionSpec("prompt", value: "text", "the prompt to answer")],
//                repeatsOnEmptyLine: true
//            ) { session, args in
//                // Validate every argument before changing any state: an error must leave the
//                // session exactly as it was.
//                let count = try args.int(0, name: "count", default: session.settings.int("samples"), range: 1...64)
//                let temperature = session.settings.float("temperature")   // --temperature already applied
//                var lines: [String] = []
//                for i in 0..<count {
//                    if session.interrupt.isRequested { break }                      // Ctrl-C: stop at a step boundary
//                    lines.append("\(i): ... sampled at T=\(temperature) with session.rng ...")
//                }
//                return CommandResult(text: lines.joined(separator: "\n"),
//                                     fields: ["count": .int(count)])
//            }
//        }
//
// 2. Add `.sample` to `CommandTable.standard` below, in pipeline order.
//
// That is all: :help lists it under its group, `:help sample` shows its card, Tab completes its
// name, unique prefixes work, `--temperature 0.7` style overrides are checked like :set and undone
// after the call, --json prints `fields`, and the table test checks its documentation.
// Long-running verbs print progress with `session.log(...)` / `ProgressBar` and poll
// `session.interrupt.isRequested` between steps. Errors: `throw args.error("no model loaded", hint: "...")`.

/// The commands of a session, in the order `:help` lists them within a group.
public struct CommandTable {
    public private(set) var commands: [Command] = []

    public init(_ commands: [Command] = []) {
        for command in commands { add(command) }
    }

    /// Every command the `rlhf` REPL has. Pipeline verbs go before the session commands.
    public static var standard: CommandTable {
        CommandTable([
        ] + Command.trainingCommands + Command.samplingCommands + Command.feedbackCommands + [.reward] + Command.policyCommands + [.bestof, .eval] + Command.inspectionCommands + Command.viewCommands + Command.lessonCommands + Command.sessionCommands + Command.modelCommands)
    }

    public mutating func add(_ command: Command) {
        for name in command.names {
            precondition(self.command(exactly: name) == nil, "command name \(name) declared twice")
        }
        commands.append(command)
    }

    /// Every name and alias.
    public var allNames: [String] { commands.flatMap(\.names) }

    public func command(exactly word: String) -> Command? {
        commands.first { $0.names.contains(word) }
    }

    /// Exact name or alias first, then a unique prefix. An ambiguous prefix is an error listing
    /// the candidates (never "first in table order"); an unknown word suggests the nearest names,
    /// including the other namespace (`set` -> `:set`).
    public func resolve(_ word: String) throws -> Command {
        if let command = command(exactly: word) { return command }
        var matches: [Command] = []
        for command in commands where command.names.contains(where: { $0.hasPrefix(word) }) {
            if !matches.contains(where: { $0.name == command.name }) { matches.append(command) }
        }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw LabError("'\(word)' is ambiguous: it could be \(matches.map(\.name).joined(separator: ", "))",
                           hint: "type more letters; Tab lists the choices")
        }
        throw unknown(word)
    }

    func unknown(_ word: String) -> LabError {
        var hint: String? = nil
        let other = word.hasPrefix(":") ? String(word.dropFirst()) : ":" + word
        if let command = command(exactly: other) ?? (try? resolveQuietly(other)) {
            hint = "did you mean '\(command.name)'?" + (word.hasPrefix(":") ? " (pipeline verbs have no colon)" : " (session commands start with ':')")
        } else {
            // Compare without the colon so `:sed` finds `:seed` and `sed` finds `:seed` too.
            let bare = word.hasPrefix(":") ? String(word.dropFirst()) : word
            let names = allNames.filter { $0 != "?" }
            let found = EditDistance.suggestions(for: bare, among: names.map { $0.hasPrefix(":") ? String($0.dropFirst()) : $0 })
            // Prefer the namespace that was typed: `qiut` -> `quit`, `:qiut` -> `:quit`.
            let full = found.compactMap { bareName in
                let same = word.hasPrefix(":") ? ":" + bareName : bareName
                let other = word.hasPrefix(":") ? bareName : ":" + bareName
                return names.first { $0 == same } ?? names.first { $0 == other }
            }
            if !full.isEmpty { hint = "did you mean " + full.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?" }
        }
        return LabError("unknown command '\(word)'", hint: hint ?? "type :help for the list of commands")
    }

    private func resolveQuietly(_ word: String) throws -> Command? {
        let matches = commands.filter { $0.names.contains(where: { $0.hasPrefix(word) }) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The names (and aliases) that start with `prefix`, for Tab.
    public func names(startingWith prefix: String) -> [String] {
        allNames.filter { $0.hasPrefix(prefix) && $0 != "?" }.sorted()
    }

    /// The shortest prefix of `command.name` that resolves to it, or nil if none does.
    public func shortestUniquePrefix(of command: Command) -> String? {
        for length in 1...command.name.count {
            let prefix = String(command.name.prefix(length))
            if let found = try? resolve(prefix), found.name == command.name { return prefix }
        }
        return nil
    }
}
