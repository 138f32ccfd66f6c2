/// `:help` output: the grouped list, one command's card, a group, or a search.
enum HelpText {
    static func run(_ session: Session, topic: String?) throws -> CommandResult {
        let table = session.table
        guard let topic else { return list(session) }
        if topic.hasPrefix("@") { return try group(String(topic.dropFirst()), session: session) }
        do { return card(try table.resolve(topic), session: session) }
        catch let error as LabError where error.message.contains("ambiguous") { throw error }
        catch {}
        if let spec = session.settings.spec(topic) {
            return CommandResult(text: SettingsText.docTable([spec], session: session, allowed: true),
                                 fields: ["settings": SettingsText.json([spec], session: session)])
        }
        // Full-text search of names, summaries and help texts.
        let word = topic.lowercased()
        let found = table.commands.filter {
            $0.summary.lowercased().contains(word) || $0.help.lowercased().contains(word)
        }
        if !found.isEmpty {
            let text = "commands mentioning '\(topic)':\n" + rows(found)
            return CommandResult(text: text, fields: ["commands": .array(found.map { .string($0.name) })])
        }
        do { _ = try table.resolve(topic) }
        catch let error as LabError {
            throw LabError("no help for '\(topic)'", hint: error.message.contains("ambiguous") ? error.message : (error.hint ?? "type :help for the list of commands"))
        }
        throw LabError("no help for '\(topic)'")
    }

    static func rows(_ commands: [Command]) -> String {
        let names = commands.map { $0.names.joined(separator: ", ") }
        let width = max(18, (names.map(\.count).max() ?? 0) + 2)
        return zip(names, commands).map { "  " + Format.fit($0, width) + $1.summary }.joined(separator: "\n")
    }

    static func list(_ session: Session) -> CommandResult {
        var lines = ["RLHF Lab \(LabInfo.version): plain words act on the models, :commands on the session."]
        for group in CommandGroup.allCases {
            let commands = session.table.commands.filter { $0.group == group }
            guard !commands.isEmpty else { continue }
            lines.append("")
            lines.append(ANSI.paint(group.rawValue, ANSI.bold, if: session.colorEnabled) + " (@\(group.key))")
            lines.append(rows(commands))
        }
        lines.append("")
        lines.append("`:help CMD` shows a command's card, `:help @GROUP` one group, `:show` the settings.")
        lines.append("Tab completes, Up/Down and Ctrl-R search history, Ctrl-C stops, Ctrl-D quits.")
        let json: [JSONValue] = session.table.commands.map {
            ["name": .string($0.name), "group": .string($0.group.rawValue), "summary": .string($0.summary)]
        }
        return CommandResult(text: lines.joined(separator: "\n"), fields: ["commands": .array(json)])
    }

    static func group(_ key: String, session: Session) throws -> CommandResult {
        let lower = key.lowercased()
        let groups = CommandGroup.allCases.filter {
            $0.key.hasPrefix(lower) || $0.rawValue.lowercased().hasPrefix(lower)
        }
        let allKeys = CommandGroup.allCases.map { "@" + $0.key }.joined(separator: " ")
        guard groups.count == 1, let group = groups.first else {
            throw LabError(groups.isEmpty ? "no group '@\(key)'" : "'@\(key)' is ambiguous", hint: "groups: \(allKeys)")
        }
        let commands = session.table.commands.filter { $0.group == group }
        let text = group.rawValue + "\n" + (commands.isEmpty ? "  (no commands yet)" : rows(commands))
        return CommandResult(text: text, fields: ["group": .string(group.rawValue),
                                                  "commands": .array(commands.map { .string($0.name) })])
    }

    static func card(_ command: Command, session: Session) -> CommandResult {
        let width = session.width
        var lines = ["usage: \(command.usage)", "", Format.wrap(command.summary, width: width, indent: "  "), ""]
        lines.append(Format.wrap(command.help, width: width, indent: "  "))
        if !command.options.isEmpty || command.acceptsSettingOverrides {
            lines.append("")
            lines.append("options:")
            for option in command.options {
                let left = "--\(option.name)" + (option.valueName.map { " <\($0)>" } ?? "")
                lines.append("  " + Format.fit(left, 22) + option.doc)
            }
            if command.acceptsSettingOverrides {
                lines.append("  " + Format.fit("--<setting> <value>", 22) + "change a setting for this call only (see :show)")
            }
            lines.append("  " + Format.fit("--json", 22) + "print the result as one JSON object")
        }
        lines.append("")
        lines.append(command.examples.count == 1 ? "example:" : "examples:")
        lines += command.examples.map { "  " + $0 }
        if !command.aliases.isEmpty {
            lines.append("")
            lines.append("aliases: " + command.aliases.joined(separator: ", "))
        }
        return CommandResult(text: lines.joined(separator: "\n"), fields: [
            "name": .string(command.name), "usage": .string(command.usage),
            "summary": .string(command.summary), "help": .string(command.help),
            "group": .string(command.group.rawValue),
            "examples": .array(command.examples.map { .string($0) }),
            "aliases": .array(command.aliases.map { .string($0) }),
        ])
    }
}

/// How settings print in `:show` and `:set`.
enum SettingsText {
    /// `:show` argument: a setting, a group key or title, a dotted scope (`ppo`), or all.
    static func select(_ word: String?, in settings: Settings) throws -> [SettingSpec] {
        guard let word, word != "all" else { return settings.specs }
        if let spec = settings.spec(word) { return [spec] }
        let lower = word.lowercased()
        if let group = SettingGroup.allCases.first(where: { $0.key == lower || $0.rawValue.lowercased() == lower }) {
            return settings.specs.filter { $0.group == group }
        }
        let scoped = settings.specs.filter { $0.name.hasPrefix(word + ".") }
        if !scoped.isEmpty { return scoped }
        let groups = SettingGroup.allCases.map(\.key)
        let hint = EditDistance.hint(for: word, among: settings.names + groups)
            ?? "give a setting name, a group (\(groups.joined(separator: ", "))) or all"
        throw LabError("unknown setting or group '\(word)'", hint: hint)
    }

    /// Settings in one aligned table: `  name  value  (default d)  doc`; changed values marked *.
    static func table(_ specs: [SettingSpec], session: Session, indent: String = "  ") -> String {
        let nameWidth = (specs.map(\.name.count).max() ?? 0) + 1
        let values = specs.map { session.settings.value($0.name).description }
        let valueWidth = max(6, (values.map(\.count).max() ?? 0) + 1)
        let defaults = specs.map { "(default \($0.defaultValue))" }
        let defaultWidth = (defaults.map(\.count).max() ?? 0) + 1
        return zip(specs, zip(values, defaults)).map { spec, pair in
            let changed = session.settings.value(spec.name) != spec.defaultValue
            var line = indent + Format.fit(spec.name, nameWidth) + (changed ? "*" : " ") + Format.fit(pair.0, valueWidth)
            line += Format.fit(pair.1, defaultWidth)
            return line.trimmingWhitespaceAtEnd
        }.joined(separator: "\n")
    }

    static func grouped(_ specs: [SettingSpec], session: Session) -> String {
        var parts: [String] = []
        for group in SettingGroup.allCases {
            let inGroup = specs.filter { $0.group == group }
            guard !inGroup.isEmpty else { continue }
            parts.append(group.rawValue + "\n" + docTable(inGroup, session: session))
        }
        return parts.joined(separator: "\n\n")
    }

    /// One row per setting with the doc wrapped to the session width (and what values are
    /// allowed, with `allowed`).
    static func docTable(_ specs: [SettingSpec], session: Session, allowed: Bool = false) -> String {
        let text = table(specs, session: session).split(separator: "\n").map(String.init)
        let leftWidth = text.map(\.count).max() ?? 0
        return zip(text, specs).map { left, spec in
            // Docs longer than the width continue on the next lines, under the first.
            let room = max(20, session.width - leftWidth - 2)
            let doc = Format.wrap(spec.doc + (allowed ? "; allowed: " + spec.allowed : ""), width: room).split(separator: "\n")
                .joined(separator: "\n" + String(repeating: " ", count: leftWidth + 2))
            return Format.fit(left, leftWidth) + "  " + doc
        }.joined(separator: "\n")
    }

    static func json(_ specs: [SettingSpec], session: Session) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: specs.map { spec in
            (spec.name, JSONValue.object([
                "value": session.settings.value(spec.name).json,
                "default": spec.defaultValue.json,
                "group": .string(spec.group.rawValue),
                "allowed": .string(spec.allowed),
                "doc": .string(spec.doc),
            ]))
        }))
    }
}

extension String {
    var trimmingWhitespaceAtEnd: String {
        var s = Substring(self)
        while let l = s.last, l == " " { s.removeLast() }
        return String(s)
    }
}
