import Foundation
import Numerics
import GPT2
import Stages

/// `pair`, `prefer`, `autolabel`, `prefs`: stage 4, human feedback.
extension Command {
    static let feedbackCommands: [Command] = [.pair, .prefer, .autolabel, .prefs]

    static let pair = Command(
        "pair", group: .feedback,
        arguments: "[<prompt>]",
        summary: "sample two responses to one prompt, for you to compare",
        help: """
            Samples two responses from the policy (to <prompt>, or to a random training prompt) \
            and shows them side by side. Say which is better with `prefer 1` or `prefer 2`: \
            comparing two answers is much cheaper than writing a good one, which is why RLHF \
            asks people to compare. The time you take is recorded (see `prefs`).
            """,
        examples: ["pair", "pair how do i make tea ?"],
        repeatsOnEmptyLine: true
    ) { session, args in
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "pair")
        let settings = try samplingSettings(session, model: model, args)
        var (question, _) = Command.text(args)
        let pool = PipelineState.prompts("train")
        var rng = session.rng
        if question.isEmpty { question = pool[rng.nextInt(below: pool.count)] }
        _ = try promptTokens(question, pipeline: pipeline, model: model, args)
        let pending = samplePair(policy: model, prompt: question, encoder: pipeline.encoder(for: model), sampling: settings, rng: &rng)
        session.rng = rng
        pipeline.pending = pending
        var displays: [Display] = unknownWordsNote(question, pipeline: pipeline).map { [.text($0)] } ?? []
        displays.append(.columns(ColumnsDisplay(title: "prompt: \(question)",
                                                columns: [.init(heading: "1", text: pending.first), .init(heading: "2", text: pending.second)],
                                                width: session.width)))
        displays.append(.text("which is better? prefer 1 or prefer 2"))
        return CommandResult(displays, fields: ["prompt": .string(question), "first": .string(pending.first),
                                                "second": .string(pending.second)], style: session.renderStyle)
    }

    static let prefer = Command(
        "prefer", group: .feedback,
        arguments: "1|2",
        summary: "label the pair shown by `pair`: which response is better",
        help: """
            Records your choice as a comparison {prompt, chosen, rejected} (TRL's preference \
            form), labelled "student". If a preference file is open (`prefs file PATH`) the \
            label is written to disk at once. Then shows what the rule labeler would have chosen.
            """,
        examples: ["prefer 1"],
        completion: .words(["1", "2"])
    ) { session, args in
        try args.expect(atMost: 1)
        let choice = try args.int(0, name: "1|2", range: 1...2)
        let pipeline = session.pipeline
        guard let pending = pipeline.pending else { throw args.error("no pair to label", hint: "show one with `pair`") }
        let seconds = Date().timeIntervalSince(pending.shownAt)
        try pipeline.record(comparison(for: pending, preferred: choice - 1, labeler: "student"))
        pipeline.pending = nil
        pipeline.labelSeconds.append(seconds)
        let a = pipeline.labeler.judge(prompt: pending.prompt, response: pending.first).score
        let b = pipeline.labeler.judge(prompt: pending.prompt, response: pending.second).score
        let rule = a == b ? "the rule labeler calls it a tie" : "the rule labeler would choose \(a > b ? 1 : 2)"
        var text = "recorded: response \(choice) preferred (\(pipeline.preferences.count) comparisons)"
        if session.console.isTerminal { text += String(format: ", labelled in %.1f s", seconds) }
        text += "; \(rule) (scores \(Format.plain(a)) and \(Format.plain(b)))"
        return CommandResult(text: text, fields: ["preferred": .int(choice), "comparisons": .int(pipeline.preferences.count),
                                                  "rule_scores": .array([.number(a), .number(b)])])
    }

    static let autolabel = Command(
        "autolabel", group: .feedback,
        arguments: "[<n>]",
        summary: "let the rule labeler compare n new pairs, showing its reasons",
        help: """
            Samples pairs for random training prompts and lets the rule labeler (a stand-in for a \
            person) pick the better response of each; ties are skipped. The second response comes \
            from the base model in a fraction pair.contrast of the pairs (when a base model is \
            loaded), so the reward model also sees answers the policy would rarely give. The \
            first few judgements are shown with the labeler's reasons. After a round of RL, \
            `autolabel 1000 --pair.contrast 0` labels pairs of the policy's own answers, where \
            the reward model is weakest; `reward train` then goes on with all the comparisons \
            (iterated RLHF, lesson 13).
            """,
        examples: ["autolabel 200", "autolabel 5 --pair.contrast 0", "autolabel 1000 --pair.contrast 0"],
        repeatsOnEmptyLine: true
    ) { session, args in
        try args.expect(atMost: 1)
        let n = try args.int(0, name: "n", default: 10, range: 1...100_000)
        let pipeline = session.pipeline
        let policy = try pipeline.model(.policy, for: "autolabel")
        let base = pipeline.models[.base]
        let settings = try samplingSettings(session, model: policy, args, promptSets: ["train"])
        let contrast = session.settings.float("pair.contrast")
        let encoder = pipeline.encoder(for: policy)
        let pool = PipelineState.prompts("train")
        var rng = session.rng
        var made: [(PendingPair, Comparison, Judgement, Judgement)] = []
        var ties = 0, attempts = 0, interrupted = false
        while made.count < n && attempts < 4 * n + 64 {
            if session.interrupt.isRequested { interrupted = true; session.interrupt.clear(); break }
            let batch = min(64, n - made.count + 4)
            let prompts = (0..<batch).map { _ in pool[rng.nextInt(below: pool.count)] }
            let tokens = prompts.map(encoder.prompt)
            let first = sampleResponses(policy, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng)
            let fromBase = (0..<batch).map { _ in base != nil && rng.nextUniform() < contrast }
            let second = sampleResponses(policy, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng)
            let secondBase = base.map { sampleResponses($0, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng) }
            for i in 0..<batch where made.count < n {
                attempts += 1
                let other = fromBase[i] ? secondBase![i] : second[i]
                let pending = PendingPair(prompt: prompts[i], first: encoder.text(first[i].tokens), second: encoder.text(other.tokens))
                let (comparison, a, b) = Stages.autolabel(pending, labeler: pipeline.labeler)
                if let comparison { made.append((pending, comparison, a, b)) } else { ties += 1 }
            }
        }
        // write every label (to the open preference file too) only after sampling succeeded
        for (_, comparison, _, _) in made { try pipeline.record(comparison) }
        session.rng = rng
        var lines: [String] = []
        let shown = session.settings.int("verbose") >= 1 ? 3 : 0
        for (pending, comparison, a, b) in made.prefix(shown) {
            lines.append("prompt: \(pending.prompt)")
            for (index, (response, judgement)) in [(pending.first, a), (pending.second, b)].enumerated() {
                let mark = comparison.chosen == response ? "chosen  " : "rejected"
                lines.append(Format.wrapHanging("  \(index + 1) \(mark) \(Format.plain(judgement.score).padding(toLength: 5, withPad: " ", startingAt: 0)) \(response)",
                                                width: session.width, hang: 16))
                lines.append(Format.wrapHanging("      " + judgement.reasons.joined(separator: "; "), width: session.width))
            }
        }
        if made.count > shown && shown > 0 { lines.append("... \(made.count - shown) more") }
        lines.append("labelled \(made.count) pairs (\(ties) ties skipped); \(pipeline.preferences.count) comparisons in all" +
                     (interrupted ? "; stopped by Ctrl-C" : ""))
        return CommandResult(text: lines.joined(separator: "\n"),
                             fields: ["labelled": .int(made.count), "ties": .int(ties), "comparisons": .int(pipeline.preferences.count)])
    }

    static let prefs = Command(
        "prefs", group: .feedback,
        arguments: "[list|import <file>|export <file>|file <path>|clear]",
        summary: "list, import, export or save the preference labels",
        help: """
            `prefs` or `prefs list` shows how many comparisons there are, who made them, your \
            labelling speed and the last few. `prefs import FILE` adds comparisons from a JSONL \
            file ({"prompt", "chosen", "rejected"} per line, TRL's form); `prefs export FILE` \
            writes them all (atomically). `prefs file PATH` opens a preference file: its labels \
            are loaded and every new label is appended and flushed to disk the moment it is made, \
            so nothing is lost if the lab is killed. `prefs clear` forgets the labels in memory.
            """,
        examples: ["prefs", "prefs export my-labels.jsonl", "prefs file labels.jsonl"],
        completion: .custom { _, index in index == 0 ? ["list", "import", "export", "file", "clear"] : [] }
    ) { session, args in
        try args.expect(atMost: 2)
        let pipeline = session.pipeline
        switch args[0] ?? "list" {
        case "list":
            try args.expect(atMost: 1)
            var byLabeler: [String: Int] = [:]
            for c in pipeline.preferences { byLabeler[c.labeler, default: 0] += 1 }
            var lines = ["\(pipeline.preferences.count) comparisons" +
                (byLabeler.isEmpty ? "" : ": " + byLabeler.sorted { $0.key < $1.key }.map { "\($0.value) by \($0.key)" }.joined(separator: ", "))]
            if !pipeline.labelSeconds.isEmpty && session.console.isTerminal {   // timings only on a terminal: scripts stay deterministic
                let sorted = pipeline.labelSeconds.sorted()
                lines.append(String(format: "your labels took %.1f s each (median of %d); writing a good answer yourself takes far longer",
                                    sorted[sorted.count / 2], sorted.count))
            }
            if let store = pipeline.preferenceStore { lines.append("saving to \(store.url.path)") }
            for c in pipeline.preferences.suffix(5) {
                lines.append("  \(c.prompt)\n    + \(c.chosen)\n    - \(c.rejected)")
            }
            return CommandResult(text: lines.joined(separator: "\n"), fields: ["comparisons": .int(pipeline.preferences.count)])
        case "import":
            let path = try args.string(1, name: "file")
            let loaded = try PreferenceStore.load(from: URL(fileURLWithPath: path))
            for comparison in loaded.comparisons { try pipeline.record(comparison) }
            let problems = loaded.problems.isEmpty ? "" : "\n" + loaded.problems.joined(separator: "\n")
            return CommandResult(text: "imported \(loaded.comparisons.count) comparisons from \(path)\(problems)",
                                 fields: ["imported": .int(loaded.comparisons.count), "comparisons": .int(pipeline.preferences.count)])
        case "export":
            let path = try args.string(1, name: "file")
            try PreferenceStore.export(pipeline.preferences, to: URL(fileURLWithPath: path))
            return CommandResult(text: "wrote \(pipeline.preferences.count) comparisons to \(path)",
                                 fields: ["exported": .int(pipeline.preferences.count)])
        case "file":
            let path = try args.string(1, name: "path")
            let store = try PreferenceStore(url: URL(fileURLWithPath: path))
            // labels made before the file was opened are written to it too
            let known = Set(store.comparisons.map { "\($0.prompt)\u{1}\($0.chosen)\u{1}\($0.rejected)\u{1}\($0.time)" })
            for comparison in pipeline.preferences where !known.contains("\(comparison.prompt)\u{1}\(comparison.chosen)\u{1}\(comparison.rejected)\u{1}\(comparison.time)") {
                try store.append(comparison)
            }
            pipeline.preferenceStore = store
            pipeline.preferences = store.comparisons
            pipeline.rewardTraining?.pairs = store.comparisons
            pipeline.dpo?.pairs = store.comparisons
            let problems = store.problems.isEmpty ? "" : "\n" + store.problems.joined(separator: "\n")
            return CommandResult(text: "labels are saved to \(path) as they are made (\(store.comparisons.count) comparisons there)\(problems)",
                                 fields: ["path": .string(path), "comparisons": .int(store.comparisons.count)])
        case "clear":
            try args.expect(atMost: 1)
            let count = pipeline.preferences.count
            pipeline.preferences = []
            pipeline.rewardTraining = nil
            pipeline.dpo = nil
            return CommandResult(text: "forgot \(count) comparisons (a preference file, if open, keeps them)", fields: ["cleared": .int(count)])
        case let other:
            throw args.error("unknown subcommand '\(other)'", hint: "list, import, export, file or clear")
        }
    }
}
