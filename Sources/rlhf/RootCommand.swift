import ArgumentParser
import Lab

// The `rlhf` executable. `rlhf` alone (or with -c) runs the root command: the REPL. More
// subcommands (`check`, `bench`, `lesson`) are added by declaring a `ParsableCommand` in its own
// file (see `Run` below for the pattern) and listing it in `subcommands:`. Session options (--json, --seed, --threads) are
// shared through `SessionOptions`.

struct RLHF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rlhf",
        abstract: "RLHF Lab: every stage of RLHF on tiny GPT-2 models, in a terminal.",
        discussion: """
            With no subcommand, starts the interactive lab: type :help there. Commands can also \
            come from -c, from a script (`rlhf run FILE`) or from a pipe (`echo ':show' | rlhf`).
            """,
        version: LabInfo.version,
        subcommands: [Run.self, Check.self, NotebookCommand.self, Bench.self, Fuzz.self, KernelCommand.self]
    )

    @OptionGroup var options: SessionOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these commands (separated by ';') and exit.", valueName: "commands"))
    var commands: String?

    /// `rlhf` and `rlhf -c '...'`: the REPL, or the given commands.
    func run() throws {
        let session = try options.makeSession()
        let code = commands.map { REPL.runCommands($0, session: session) } ?? REPL.run(session)
        if code != 0 { throw ExitCode(code) }
    }
}

/// Options every way of running a session accepts.
struct SessionOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per command instead of text.")
    var json = false

    @Option(help: "Seed of the session's random numbers (0...2147483648).")
    var seed: Int?

    @Option(help: "Threads for matrix products and row loops (1...64; the numbers do not depend on it); `bench` measures each of several (--threads 1 --threads 2).")
    var threads: [Int] = []

    /// A fresh session with these options applied, checked exactly like :set.
    func makeSession(console: Console = Console()) throws -> Session {
        let session = Session(console: console)
        do {
            if json { try session.settings.set("output", to: "json") }
            if let seed { try session.settings.set("seed", to: String(seed)) }
            if threads.count > 1 { throw LabError("--threads: give one thread count (only `rlhf bench` measures several)") }
            if let threads = threads.last { try session.settings.set("threads", to: String(threads)) }
        } catch let error as LabError {
            throw ValidationError(error.message + (error.hint.map { " (\($0))" } ?? ""))
        }
        session.applySettings()
        return session
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a script of lab commands (one per line, # comments) and exit.")

    @OptionGroup var options: SessionOptions

    @Argument(help: "The script file.")
    var file: String

    func run() throws {
        let session = try options.makeSession()
        let code = REPL.runScript(file, session: session)
        if code != 0 { throw ExitCode(code) }
    }
}
