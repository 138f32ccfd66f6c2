/// The groups `:help` lists commands under, in pipeline order.
public enum CommandGroup: String, CaseIterable, Sendable {
    case pretraining = "Pre-training"
    case sft = "SFT"
    case sampling = "Sampling"
    case feedback = "Feedback"
    case reward = "Reward model"
    case policy = "Policy optimisation"
    case inspection = "Inspection"
    case lessons = "Lessons"
    case session = "Session"

    /// The word after `@` in `:help @reward`.
    public var key: String {
        switch self {
        case .pretraining: "pretrain"
        case .sft: "sft"
        case .sampling: "sampling"
        case .feedback: "feedback"
        case .reward: "reward"
        case .policy: "policy"
        case .inspection: "inspection"
        case .lessons: "lessons"
        case .session: "session"
        }
    }
}

/// What Tab offers for a command's arguments.
public enum CompletionKind {
    case none
    case commands                 // command names (for :help)
    case settingNames             // :show
    case settingThenValue         // :set NAME VALUE: names, then the setting's allowed words
    case roleNames                // policy, reference, reward, ... (Session.roleNames)
    case modelNames               // Session.modelNames()
    case lessonNumbers            // Session.lessonNumbers()
    case files                    // paths relative to the working directory
    case words([String])          // a fixed list
    case custom((Session, _ argumentIndex: Int) -> [String])
}

/// A command-specific `--option` (settings are accepted as options automatically).
public struct OptionSpec: Sendable {
    public let name: String
    public let valueName: String?  // nil for a flag such as --force
    public let doc: String

    public init(_ name: String, value valueName: String? = nil, _ doc: String) {
        self.name = name; self.valueName = valueName; self.doc = doc
    }
    public var isFlag: Bool { valueName == nil }
}

/// One REPL command: its name, help card, argument completer and what it does.
/// See CommandTable.swift for how to add one.
public struct Command {
    public let name: String
    public let aliases: [String]
    public let group: CommandGroup
    /// The arguments part of the synopsis: `<name> <value>`, `[<steps>] [--lr <float>]`.
    public let arguments: String
    public let summary: String
    public let help: String
    public let examples: [String]
    public let completion: CompletionKind
    public let options: [OptionSpec]
    /// `--name value` for any setting overrides it for this one call (true for pipeline verbs).
    public let acceptsSettingOverrides: Bool
    /// Enter on an empty line repeats this command (only for steppable verbs, never resets).
    public let repeatsOnEmptyLine: Bool
    public let run: (Session, Arguments) throws -> CommandResult

    public init(_ name: String, aliases: [String] = [], group: CommandGroup,
                arguments: String = "", summary: String, help: String, examples: [String],
                completion: CompletionKind = .none, options: [OptionSpec] = [],
                acceptsSettingOverrides: Bool? = nil, repeatsOnEmptyLine: Bool = false,
                run: @escaping (Session, Arguments) throws -> CommandResult) {
        self.name = name; self.aliases = aliases; self.group = group
        self.arguments = arguments; self.summary = summary; self.help = help
        self.examples = examples; self.completion = completion; self.options = options
        self.acceptsSettingOverrides = acceptsSettingOverrides ?? !name.hasPrefix(":")
        self.repeatsOnEmptyLine = repeatsOnEmptyLine
        self.run = run
    }

    /// `:set [<name> [<value>]]`
    public var usage: String { arguments.isEmpty ? name : "\(name) \(arguments)" }

    /// The name and aliases as `:help` lists them: `:help, help, ?`.
    public var names: [String] { [name] + aliases }
}

/// What a command produced: what it shows (displays, drawn by the terminal, HTML and SVG
/// renderers) and the fields a program reads. In JSON mode the REPL prints
/// `{"command": NAME, "ok": true, ...fields}`.
public struct CommandResult {
    public var displays: [Display]
    public var fields: [String: JSONValue]
    /// The terminal width and character set the text is drawn for.
    public var style: RenderStyle

    /// A result drawn with the session's style.
    public init(_ displays: [Display], fields: [String: JSONValue] = [:], style: RenderStyle) {
        self.displays = displays; self.fields = fields; self.style = style
    }

    /// A result that is plain text.
    public init(text: String = "", fields: [String: JSONValue] = [:]) {
        self.init(text.isEmpty ? [] : [.text(text)], fields: fields, style: RenderStyle())
    }

    /// The text the terminal shows. Setting it replaces every display with that text.
    public var text: String {
        get { TerminalRenderer.render(displays, style: style) }
        set { displays = newValue.isEmpty ? [] : [.text(newValue)] }
    }

    /// Adds a display after the others.
    public mutating func append(_ display: Display) { displays.append(display) }

    public static let empty = CommandResult()
}

/// A command's words after its name, split into positionals, options and flags.
/// Setting overrides (`--temperature 0.5`) are already applied and not listed here.
public struct Arguments {
    public let command: Command
    public var positionals: [String]
    public var options: [String: String]
    public var flags: Set<String>

    public init(command: Command, positionals: [String] = [], options: [String: String] = [:], flags: Set<String> = []) {
        self.command = command; self.positionals = positionals; self.options = options; self.flags = flags
    }

    public var count: Int { positionals.count }
    public subscript(_ i: Int) -> String? { i < positionals.count ? positionals[i] : nil }
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// An error carrying this command's usage line.
    public func error(_ message: String, hint: String? = nil) -> LabError {
        LabError("\(command.name): \(message)", hint: hint, usage: command.usage)
    }

    /// Refuses more than `n` positionals.
    public func expect(atMost n: Int) throws {
        if positionals.count > n {
            throw error("unexpected argument '\(positionals[n])'",
                        hint: n == 0 ? "\(command.name) takes no arguments" : nil)
        }
    }

    /// The positional at `index` as an integer in `range`, or `defaultValue` when absent.
    public func int(_ index: Int, name: String, default defaultValue: Int? = nil,
                    range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let text = self[index] else {
            if let defaultValue { return defaultValue }
            throw error("missing <\(name)>")
        }
        guard let value = Int(text) else { throw error("<\(name)> must be a whole number, got '\(text)'") }
        guard range.contains(value) else {
            throw error("<\(name)> is \(value), out of range", hint: "allowed: \(range.lowerBound) <= \(name) <= \(range.upperBound)")
        }
        return value
    }

    /// The positional at `index`, required.
    public func string(_ index: Int, name: String) throws -> String {
        guard let text = self[index] else { throw error("missing <\(name)>") }
        return text
    }
}
