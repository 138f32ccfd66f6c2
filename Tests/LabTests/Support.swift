import Foundation
import Lab

/// A session that captures its output, with the standard commands plus `extra` test verbs.
func makeSession(_ extra: [Command] = []) -> Session {
    Session(console: .capturing(), table: CommandTable(CommandTable.standard.commands + extra))
}

/// A session with a tiny random policy (1 layer, width 16, context 32), so pipeline verbs run fast.
func tinySession() -> Session {
    let session = makeSession()
    for line in [":set model.width 16", ":set model.heads 2", ":set model.context 32", ":set max_tokens 12", ":new policy"] {
        let outcome = session.execute(line: line)
        precondition(outcome.ok, "\(line): \(outcome.stderr)")
    }
    return session
}

/// A pipeline-style verb that reports the settings it sees, for override tests.
let probe = Command(
    "probe", group: .sampling, arguments: "[<n>]",
    summary: "report temperature and seed", help: "Test verb.", examples: ["probe 1"],
    options: [OptionSpec("label", value: "text", "a label"), OptionSpec("loud", "a flag")]
) { session, args in
    let n = try args.int(0, name: "n", default: 1, range: 1...10)
    let draw = session.rng.next()
    let text = "temperature=\(Format.plain(session.settings.double("temperature"))) n=\(n) label=\(args.options["label"] ?? "-") loud=\(args.flag("loud")) draw=\(draw)"
    return CommandResult(text: text, fields: ["n": .int(n), "temperature": .number(session.settings.double("temperature"))])
}

/// A verb that always fails after validating, to check that errors leave state alone.
let failing = Command(
    "explode", group: .inspection, summary: "always fails", help: "Test verb.", examples: ["explode"]
) { session, args in
    _ = session.rng.next()
    throw args.error("boom", hint: "it always does")
}

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("labtests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let fixturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
