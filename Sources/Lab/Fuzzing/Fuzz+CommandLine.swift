import Foundation
import Numerics

extension FuzzHarness {
    /// Commands the command-line harness splits into words but does not run: they make models
    /// (slow, and the session must stay model-less) or write files where the fuzzer runs.
    static let commandsNotRun: Set<String> = [":new", ":record", ":save"]

    /// Lines a student might type, and a few they should not.
    static let commandLineSeeds = [
        ":help", ":help sample", "?", "sample?", ":set temperature 0.7", ":set seed 42", ":show", ":show sampling",
        ":seed 7", ":models", ":load policy /nonexistent", ":load policy base", ":copy policy reference",
        "pretrain 10 --pretrain.lr 3e-3", "sft 5 --data missing.jsonl", "sft eval", "tokens how do i make tea?",
        "softmax tea ? --temperature 0.5 --top_k 5", "sample how do i make tea ? 4 --verbose", "pair", "prefer 1",
        "autolabel 3 --pair.contrast 0", "prefs", "prefs import missing.jsonl", "reward init", "reward train 5",
        "reward score how do i make tea ? -> put the tea in water", "reinforce 2 --pg.baseline rloo --pg.samples 2",
        "ppo 1", "dpo 3", "eval", "eval table", "grads", "updates", "weights", "loss", "last",
        #"sample "how do \"you\" make tea ?" 2"#, "sample 'single quoted' -- --not-an-option", "tokens a;b; c",
        "--json :show seed", ":set --json output json", "# a comment", "   ", ":quit", "exit", ":read missing.rlhf",
    ]

    /// The REPL's command line: the word splitter (`CommandLineWords`), then `session.execute(line:)`
    /// on a fresh session with no models. Every line must give an outcome; the words must come
    /// out the same whether the line is split alone or as the statements of `-c`.
    static let commandLine = FuzzHarness(
        name: "command-line", summary: "REPL lines (CommandLineWords, then Session.execute on a session with no models)",
        dictionary: ["'", "\"", "\\", "\\\"", ";", " ", "\t", "--", "--json", "--seed", "--temperature", "--max_tokens", "=",
                     "policy", "reference", "reward", "base", "?", "#", "\u{0}", "\u{1B}[31m", "é", "🙂", "\r"]
            + CommandTable.standard.allNames + Settings.catalog.map { "--" + $0.name } + Settings.catalog.map(\.name),
        errorsAreOneLine: false,
        seeds: {
            Dictionary(uniqueKeysWithValues: commandLineSeeds.enumerated().map { (String(format: "line-%02d.txt", $0.offset), Data($0.element.utf8)) })
        },
        run: { data, _ in
            let line = String(decoding: data, as: UTF8.self)
            var splitAlone: [String]? = nil
            do { splitAlone = try CommandLineWords.words(line) } catch {}
            if let statements = try? CommandLineWords.statementLines(line) {
                for statement in statements { _ = try? CommandLineWords.words(statement) }
            }
            _ = try? CommandLineWords.statements(line)
            let session = Session(console: .capturing())
            session.controlsThreads = false   // `:set threads N` must not touch the process's threads
            if let words = splitAlone, let first = words.first, let command = try? session.table.resolve(first),
               commandsNotRun.contains(command.name) || (command.name == "prefs" && ["export", "file"].contains(words.dropFirst().first ?? "")) {
                return .loaded
            }
            let outcome = session.execute(line: line)
            if session.pipeline.models.count > 0 && outcome.command != ":load" {
                throw FuzzFinding("a model appeared after \(line.debugDescription)")
            }
            return outcome.ok ? .loaded : .rejected(outcome.error?.message ?? "")
        })
}
