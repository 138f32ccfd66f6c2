import Foundation
import Numerics

/// The lab's version, shown in the banner, `--version` and recorded transcripts.
public enum LabInfo {
    public static let version = "0.1.0"
}

/// Where a line came from, for `FILE:LINE: error: ...` in scripts.
public struct SourceLocation: Equatable, Sendable {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
}

/// What one line did: whether it succeeded, its result, its error, and the text it printed.
public struct CommandOutcome {
    public var line: String
    /// The resolved command name (nil for blank lines, comments and unknown commands).
    public var command: String?
    public var ok = true
    public var result: CommandResult?
    public var error: LabError?
    /// What the line printed on stdout and stderr (colour codes removed).
    public var stdout = ""
    public var stderr = ""
}

/// One top-level command and everything it printed (stdout, then stderr), for `:record`.
public struct TranscriptEntry: Equatable {
    public var line: String
    public var output: String
    /// False when the command failed (`:record` puts it in a `should-fail` block).
    public var ok = true
}

/// A typed key into `Session` artifacts: `static let policy = ArtifactKey<GPT2>("policy")`.
public struct ArtifactKey<Value>: Hashable {
    public let name: String
    public init(_ name: String) { self.name = name }
}

/// The state of one REPL session: settings, random numbers, commands, output, and (added by the
/// pipeline verbs) models and data. Every line, typed or scripted, goes through `execute(line:)`.
public final class Session {
    public let settings: Settings
    public var table: CommandTable
    public let console: Console
    /// The session's random numbers; reseeded by `:seed N` and `:set seed N`.
    public var rng: RandomGenerator
    /// True when a person types at a terminal (history, Tab, Enter repeats).
    public var isInteractive = false

    // MARK: Pipeline state
    // The pipeline verbs keep their models, datasets and results here, e.g.
    //     static let policyKey = ArtifactKey<GPT2Model>("policy")
    //     session[policyKey] = model
    // or add stored properties below this line.
    private var artifacts: [String: Any] = [:]
    public subscript<Value>(key: ArtifactKey<Value>) -> Value? {
        get { artifacts[key.name] as? Value }
        set { artifacts[key.name] = newValue }
    }
    /// Shown in the prompt as `rlhf[STATUS]> `, e.g. "sft 120" (nil: plain `rlhf> `).
    public var status: String?
    /// Role names Tab offers (for commands whose completion is `.roleNames`).
    public var roleNames = ["policy", "reference", "reward", "value"]
    /// Model names Tab offers (`.modelNames`); the lead points this at the checkpoint list.
    public var modelNames: () -> [String] = { [] }
    /// Lesson numbers Tab offers (`.lessonNumbers`).
    public var lessonNumbers: () -> [String] = { [] }
    /// Pre-fills the next input line (the REPL connects this to `LineEditor.prefill`).
    public var prefill: (String) -> Void = { _ in }

    // MARK: Bookkeeping
    public private(set) var transcript: [TranscriptEntry] = []
    /// The settings that differed from their defaults when the transcript began (`:record`
    /// writes them as front matter and a hidden `:set` block, so the transcript replays).
    var transcriptStartSettings: [(name: String, value: SettingValue)] = []
    /// Commands that are not part of the transcript (they steer the session, not the models).
    static let unrecordedCommands: Set<String> = [":record", "lesson", "next", "back", "where"]
    /// Called once after each top-level line (typed, piped, `-c`; not the lines inside a `:read`
    /// script) with its outcome. Lesson mode sets it to advance the lesson: it may run more
    /// lines itself, and the text it returns is printed after the line's output and added to
    /// that outcome's `stdout`. Blank lines and comments do not call it.
    public var afterLine: ((CommandOutcome) -> String)?
    /// Where results go instead of the console, when set (a notebook kernel turns each into a
    /// picture and text). The text is still kept for the transcript and the outcome's stdout.
    public var presentResult: ((CommandResult) -> Void)?
    /// Where a running command shows progress and live charts that are redrawn in place (a
    /// notebook); nil in the terminal, which redraws a progress line instead.
    public weak var liveDisplay: LiveDisplaySink?
    /// False in the Jupyter kernel: a top-level line's result and error are kept for the
    /// transcript but not printed; the kernel shows them from the returned outcome as
    /// `execute_result` / `display_data` and `error` messages.
    public var printsOutcome = true
    /// Set by `:quit`; the REPL stops reading.
    public var quitRequested = false
    /// Lines that failed so far (a script's exit code is non-zero when this is).
    public private(set) var failureCount = 0
    /// Ctrl-C for this session: its own flag, or the process's once `Interrupt.installHandler(for:)`
    /// connects it to SIGINT (the terminal, the notebook kernel).
    public var interrupt = InterruptFlag()
    /// `:read` nesting depth, limited to `maxReadDepth` (sqlite's MAX_INPUT_NESTING).
    public internal(set) var readDepth = 0
    public static let maxReadDepth = 25
    /// The last line whose command repeats on Enter (steppable verbs only).
    public private(set) var repeatableLine: String?
    /// How many `execute` calls are running (0 between top-level lines).
    public private(set) var executeDepth = 0

    public init(console: Console = Console(), settings: Settings = Settings(), table: CommandTable = .standard) {
        self.console = console
        self.settings = settings
        self.table = table
        self.rng = RandomGenerator(seed: UInt64(settings.int("seed")))
        settings.onChange("seed") { [unowned self] _, new in
            if case .int(let seed) = new { self.rng = RandomGenerator(seed: UInt64(seed)) }
        }
        lessonNumbers = { [unowned self] in LessonMode.of(self).numbers }
        settings.onChange("threads") { [unowned self] _, new in
            if self.controlsThreads, case .int(let n) = new { ComputeThreads.count = n }
        }
    }

    /// Whether `:set threads N` changes the process's thread count (`ComputeThreads.count`), one
    /// number for the whole process. A session that runs beside others in one process (the
    /// fuzzer) turns this off, so it cannot change how fast another session computes.
    public var controlsThreads = true

    /// Applies settings that act on the outside world (threads -> ComputeThreads.count). Called once at start.
    public func applySettings() {
        ComputeThreads.count = settings.int("threads")
    }

    /// The prompt: `rlhf> ` or `rlhf[sft 120]> `.
    public var prompt: String { status.map { "rlhf[\($0)]> " } ?? "rlhf> " }

    // MARK: Display preferences

    public var jsonOutput: Bool { settings.word("output") == "json" }
    /// True while a command runs whose result is printed as JSON (`:set output json` or `--json`
    /// on that line): progress lines stay off stdout so a program reads one JSON object.
    public var printsJSON: Bool { jsonOutput || jsonThisCall }
    private var jsonThisCall = false
    public var unicode: Bool { settings.bool("unicode") }
    public var width: Int { settings.int("width") }
    /// Colour: `:set color on`, or `auto` with stdout a terminal and NO_COLOR unset.
    public var colorEnabled: Bool {
        switch settings.word("color") {
        case "on": true
        case "off": false
        default: console.isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        }
    }

    /// Prints a progress line from a running command when `verbose >= level` (never in JSON mode).
    public func log(_ text: String, level: Int = 1) {
        guard !printsJSON, settings.int("verbose") >= level else { return }
        console.out(text)
    }

    // MARK: Running a line

    /// Runs one line: tokenise, resolve the command, apply `--setting value` overrides, run,
    /// undo the overrides, print the result or the error. Never throws; an error leaves the
    /// session as it was (settings and random numbers are restored).
    @discardableResult
    public func execute(line: String, location: SourceLocation? = nil) -> CommandOutcome {
        var outcome = CommandOutcome(line: line)
        let trimmed = line.trimmingWhitespace
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return outcome }

        let start = console.chunks.count
        if executeDepth == 0 && transcript.isEmpty {
            transcriptStartSettings = settings.changed.map { ($0.name, settings.value($0.name)) }
        }
        executeDepth += 1
        var json = jsonOutput
        var repeatable = false
        do {
            let words = Session.helpShortcut(try CommandLineWords.words(trimmed))
            if words.contains("--json") { json = true }   // even if the command is unknown
            let command = try table.resolve(words[0])
            outcome.command = command.name
            let parsed = try parse(Array(words.dropFirst()), for: command)
            if parsed.json { json = true }
            let outerJSON = jsonThisCall
            jsonThisCall = jsonThisCall || json
            defer { jsonThisCall = outerJSON }
            let result = try withOverrides(parsed.overrides) { () throws -> CommandResult in
                let result = try command.run(self, parsed.arguments)
                if jsonOutput { json = true }
                return result
            }
            let muted = console.isMuted
            console.isMuted = muted || (!printsOutcome && executeDepth == 1)
            if json {
                var fields = result.fields
                fields["command"] = .string(command.name)
                fields["ok"] = .bool(true)
                console.out(JSONValue.object(fields).encoded)
            } else if let presentResult {
                if !result.text.isEmpty { console.keep(result.text + "\n", stream: .out) }
                presentResult(result)
            } else if !result.text.isEmpty {
                console.out(result.text)
            }
            console.isMuted = muted
            outcome.result = result
            repeatable = command.repeatsOnEmptyLine
        } catch {
            let labError = LabError.from(error)
            outcome.ok = false
            outcome.error = labError
            failureCount += 1
            let muted = console.isMuted
            console.isMuted = muted || (!printsOutcome && executeDepth == 1)
            report(labError, command: outcome.command, location: location, json: json)
            console.isMuted = muted
        }
        executeDepth -= 1
        outcome.stdout = console.text(since: start, stream: .out)
        outcome.stderr = console.text(since: start, stream: .err)
        if executeDepth == 0 {
            record(outcome)
            console.clearChunks()
            repeatableLine = repeatable ? trimmed : nil
            if let afterLine {
                let extra = afterLine(outcome)
                if !extra.isEmpty {
                    console.out(extra)
                    outcome.stdout += extra + "\n"
                    console.clearChunks()
                }
            }
        }
        return outcome
    }

    /// Adds a line to the transcript (top-level lines do this themselves; lesson mode also
    /// records the setup lines it runs from inside a command).
    func record(_ outcome: CommandOutcome) {
        guard !Session.unrecordedCommands.contains(outcome.command ?? "") else { return }
        transcript.append(TranscriptEntry(line: outcome.line.trimmingWhitespace,
                                          output: outcome.stdout + outcome.stderr, ok: outcome.ok))
    }

    /// Prints an error: text on stderr, or one JSON object on stdout in JSON mode.
    func report(_ error: LabError, command: String?, location: SourceLocation?, json: Bool) {
        if json {
            var fields: [String: JSONValue] = ["ok": false, "error": .string(error.message)]
            if let command { fields["command"] = .string(command) }
            if let hint = error.hint { fields["hint"] = .string(hint) }
            if let usage = error.usage { fields["usage"] = .string(usage) }
            if let location { fields["file"] = .string(location.file); fields["line"] = .int(location.line) }
            console.out(JSONValue.object(fields).encoded)
            return
        }
        let prefix = location.map { "\($0.file):\($0.line): " } ?? ""
        let label = ANSI.paint("error:", ANSI.bold + ANSI.red, if: colorEnabled)
        var text = "\(prefix)\(label) \(error.message)"
        if let hint = error.hint { text += "\n  hint: \(hint)" }
        if let usage = error.usage { text += "\n  usage: \(usage)" }
        console.err(text)
    }

    /// `?`, `?CMD` and `CMD?` mean `:help CMD`.
    static func helpShortcut(_ words: [String]) -> [String] {
        guard let first = words.first else { return [":help"] }
        if first == "?" { return [":help"] + words.dropFirst() }
        if words.count == 1 && first.count > 1 {
            if first.hasPrefix("?") { return [":help", String(first.dropFirst())] }
            if first.hasSuffix("?") { return [":help", String(first.dropLast())] }
        }
        return words
    }

    struct Parsed {
        var arguments: Arguments
        var overrides: [(String, SettingValue)] = []
        var json = false
    }

    /// Splits the words after the command name into positionals, declared options and flags,
    /// `--json`, and setting overrides (each checked like `:set`). `--name=value` works too;
    /// `--` ends the options.
    func parse(_ words: [String], for command: Command) throws -> Parsed {
        var parsed = Parsed(arguments: Arguments(command: command))
        func fail(_ message: String, hint: String? = nil) -> LabError {
            LabError("\(command.name): \(message)", hint: hint, usage: command.usage)
        }
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            if word == "--" { parsed.arguments.positionals += words[i...]; break }
            guard word.hasPrefix("--"), word.count > 2 else { parsed.arguments.positionals.append(word); continue }
            var name = String(word.dropFirst(2))
            var value: String? = nil
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            func takeValue(_ what: String) throws -> String {
                if let value { return value }
                guard i < words.count else { throw fail("--\(name) needs a value", hint: what) }
                i += 1
                return words[i - 1]
            }
            if name == "json" && value == nil {
                parsed.json = true
            } else if let option = command.options.first(where: { $0.name == name }) {
                if option.isFlag {
                    guard value == nil else { throw fail("--\(name) takes no value") }
                    parsed.arguments.flags.insert(name)
                } else {
                    parsed.arguments.options[name] = try takeValue("--\(name) <\(option.valueName!)>")
                }
            } else if command.acceptsSettingOverrides, let spec = settings.spec(name) {
                let text = try takeValue("allowed: \(spec.allowed)")
                do { parsed.overrides.append((spec.name, try spec.parse(text))) }
                catch let error as LabError { throw LabError("\(command.name): --\(error.message)", hint: error.hint, usage: command.usage) }
            } else {
                var known = command.options.map(\.name) + ["json"]
                if command.acceptsSettingOverrides { known += settings.names }
                let hint = EditDistance.suggestions(for: name, among: known).first.map { "did you mean '--\($0)'?" }
                    ?? (command.acceptsSettingOverrides ? "options: any setting (see :show)" : nil)
                throw fail("unknown option '--\(name)'", hint: hint)
            }
        }
        return parsed
    }

    /// Runs `body` with the overrides applied, then restores the session values (and the random
    /// numbers, if the seed was overridden or the command failed).
    func withOverrides<T>(_ overrides: [(String, SettingValue)], _ body: () throws -> T) throws -> T {
        let saved = overrides.map { ($0.0, settings.value($0.0)) }
        let savedRNG = rng
        for (name, value) in overrides { settings.assign(name, value) }
        var succeeded = false
        defer {
            for (name, value) in saved.reversed() { settings.assign(name, value) }
            if !succeeded || overrides.contains(where: { $0.0 == "seed" }) { rng = savedRNG }
        }
        let result = try body()
        succeeded = true
        return result
    }
}
