import Foundation
import Numerics
import GPT2
import Stages

/// `reward init | train | score | eval`: stage 5, the reward model.
extension Command {
    static let reward = Command(
        "reward", group: .reward,
        arguments: "init | train [<steps>] | score <prompt> | <response> | eval [<pairs>]",
        summary: "make, train, query and check the reward model",
        help: """
            `reward init` copies the policy (normally the SFT model) and replaces its output \
            layer, the one that maps to the vocabulary (GPT-2 ties it to the input embedding), \
            by a single number: a scalar head score [1, d]. It shows the shapes before and after. \
            `reward train N` trains it on the comparisons: for each pair, \
            loss = -log sigmoid(r_chosen - r_rejected); it prints r_chosen, r_rejected, \
            delta, sigmoid(delta), the loss and dloss/ddelta = -sigmoid(-delta) for a few pairs, \
            then the batch loss and accuracy. `reward score PROMPT | RESPONSE` scores one \
            response; `reward eval [N]` measures the accuracy on N (default 200) fresh \
            comparisons of held-out prompts, and where the reward model is blind: its accuracy \
            by how clearly the labeler preferred one answer (the score gap), the correlation of \
            its reward with the answer's length, and the pairs it ranks worst with the labeler's \
            reasons. `reward init --ensemble K` makes K reward models from the policy, each with \
            its own head and seed; `reward train` trains every member on the same comparisons in \
            its own order, `reward score` shows each member's reward and their spread, `reward \
            eval` judges the mean, and the RL verbs use mean - rl.ensemble_k * std (a \
            conservative reward where the members disagree; Coste et al. 2023).
            """,
        examples: ["reward init", "reward train 50", "reward score how do i make tea ? | sure ! heat water .", "reward eval",
                   "reward eval 600", "reward init --ensemble 3"],
        completion: .custom { _, index in index == 0 ? ["init", "train", "score", "eval"] : [] },
        options: [OptionSpec("ensemble", value: "k", "with init: k reward models (2 to 8) with their own heads and seeds")],
        repeatsOnEmptyLine: true
    ) { session, args in
        switch args[0] {
        case "init": return try rewardInit(session, args)
        case "train": return try rewardTrain(session, args)
        case "score": return try rewardScore(session, args)
        case "eval": return try rewardEval(session, args)
        case nil: throw args.error("missing subcommand", hint: "init, train, score or eval")
        case let other?:
            if Int(other) != nil { return try rewardTrain(session, Arguments(command: args.command, positionals: ["train"] + args.positionals)) }
            throw args.error("unknown subcommand '\(other)'", hint: "init, train, score or eval")
        }
    }

    static func rewardInit(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 1)
        let members = try args.options["ensemble"].map { text -> Int in
            guard let k = Int(text), (2...8).contains(k) else {
                throw args.error("--ensemble is '\(text)'", hint: "an ensemble has 2 to 8 reward models, e.g. --ensemble 3")
            }
            return k
        } ?? 1
        let pipeline = session.pipeline
        let policy = try pipeline.model(.policy, for: "reward init")
        let seeds = (0..<members).map { _ in session.rng.next() }
        let models = seeds.map { policy.rewardModel(seed: $0) }
        let model = models[0]
        pipeline.setModel(model, role: .reward, origin: members == 1 ? "reward init from the policy (head seed \(seeds[0]))"
                                                                     : "reward init --ensemble \(members): member 1 (head seed \(seeds[0]))")
        if members > 1 {
            pipeline.rewardEnsemble = models
            let c = policy.config.embeddingSize
            let text = """
                reward ensemble = \(members) copies of the policy's body, each with its own scalar head score [1, \(c)] (seeds \(seeds.map(String.init).joined(separator: ", ")))
                each is trained on the same comparisons in its own data order; RL verbs use mean - rl.ensemble_k * std of their rewards
                \(members) x \(model.parameterCount) parameters
                """
            return CommandResult(text: text, fields: ["parameters": .int(model.parameterCount), "members": .int(members)])
        }
        let c = policy.config.embeddingSize, v = policy.config.vocabSize
        let text = """
            reward model = a copy of the policy's body + a new scalar head
              policy:  ... -> ln_f -> h [T, \(c)] -> output layer h wte^T (wte [\(v), \(c)], tied to the input embedding) -> logits [T, \(v)]
              reward:  ... -> ln_f -> h [T, \(c)] -> score head h score^T (score [1, \(c)], new, N(0, 0.02)) -> r, read at the EOS token
            \(model.parameterCount) parameters (the body's \(policy.parameterCount) + \(c) for the head)
            """
        return CommandResult(text: text, fields: ["parameters": .int(model.parameterCount), "head_shape": .array([1, .int(c)])])
    }

    static func rewardStage(_ session: Session, _ args: Arguments) throws -> RewardModelTraining {
        let pipeline = session.pipeline
        let model = try pipeline.model(.reward, for: "reward train")
        guard !pipeline.preferences.isEmpty else {
            throw args.error("no comparisons yet", hint: "label some with `pair` and `prefer 1|2`, or `autolabel 100`")
        }
        let s = session.settings
        var settings = RewardModelTraining.Settings()
        settings.learningRate = s.float("reward.lr")
        settings.batchSize = s.int("reward.batch")
        settings.margin = s.float("reward.margin")
        settings.centering = s.float("reward.center")
        settings.weightDecay = s.float("weight_decay")
        settings.gradientClip = s.float("grad_clip")
        let stage = try continueOrStart(pipeline.rewardTraining, sameModels: { $0.model === model }, settings: settings,
                                        session: session) {
            try RewardModelTraining(model: model, pairs: pipeline.preferences, encoder: pipeline.encoder(for: model), settings: $0)
        }
        stage.pairs = pipeline.preferences
        pipeline.rewardTraining = stage
        return stage
    }

    static func rewardTrain(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 2)
        let steps = try args.int(1, name: "steps", default: 20, range: 1...1_000_000)
        let stage = try rewardStage(session, args)
        let others = try ensembleStages(session, like: stage)
        var run = TrainingRun(session: session, stageName: "reward")
        run.describeStep = { "acc \(Format.number($0.metric("accuracy") ?? 0, decimals: 2))  margin \(Format.number($0.metric("margin") ?? 0))" }
        let (reports, runDisplays, fields) = try run.run(stage, steps: steps)
        let pairs = reports.last.map { pairTable($0, limit: 4, session: session) } ?? []
        var displays = pairs + runDisplays
        // The other members of an ensemble take as many steps, each in its own data order.
        if !others.isEmpty {
            var lines = ["member 1: the steps above"]
            for (index, member) in others.enumerated() {
                var done: [StepReport] = []
                for _ in 0..<reports.count {
                    if session.interrupt.isRequested { break }
                    done.append(try member.step())
                }
                guard let first = done.first, let last = done.last else { break }
                lines.append("member \(index + 2): \(done.count) steps, loss \(Format.number(first.loss)) -> \(Format.number(last.loss)), " +
                             "accuracy \(Format.number(last.metric("accuracy") ?? 0, decimals: 2))")
            }
            if session.interrupt.isRequested { session.interrupt.clear(); lines.append("stopped by Ctrl-C") }
            displays.append(.text(lines.joined(separator: "\n")))
        }
        return CommandResult(displays, fields: fields, style: session.renderStyle)
    }

    /// The training stages of an ensemble's other members (none for a single reward model),
    /// carried on like the first member's, each with its own seed.
    static func ensembleStages(_ session: Session, like first: RewardModelTraining) throws -> [RewardModelTraining] {
        let pipeline = session.pipeline
        let members = Array(pipeline.rewardEnsemble.dropFirst())
        var stages: [RewardModelTraining] = []
        for (index, model) in members.enumerated() {
            let existing = index < pipeline.ensembleTraining.count ? pipeline.ensembleTraining[index] : nil
            let stage = try continueOrStart(existing, sameModels: { $0.model === model }, settings: first.settings, session: session) {
                try RewardModelTraining(model: model, pairs: pipeline.preferences, encoder: pipeline.encoder(for: model), settings: $0)
            }
            stage.pairs = pipeline.preferences
            stages.append(stage)
        }
        pipeline.ensembleTraining = stages
        return stages
    }

    /// The per-pair numbers of a reward step: r_chosen, r_rejected, delta, sigmoid(delta), loss, dloss/ddelta.
    static func pairTable(_ report: StepReport, limit: Int, session: Session) -> [Display] {
        let rows = report.examples.prefix(limit).enumerated().map { index, row in
            ["\(index + 1)"] + row.map { Format.number($0) }
        }
        return [.table(TableDisplay(title: "last step, first \(rows.count) of \(report.examples.count) pairs:",
                                    headers: ["pair"] + report.exampleColumns, rows: rows,
                                    alignments: [.left] + report.exampleColumns.map { _ in .right }, maxWidth: session.width,
                                    footnote: "batch: loss \(Format.number(report.loss)), accuracy \(Format.number(report.metric("accuracy") ?? 0, decimals: 2)), mean margin \(Format.number(report.metric("margin") ?? 0))"))]
    }

    static func rewardScore(_ session: Session, _ args: Arguments) throws -> CommandResult {
        let words = Array(args.positionals.dropFirst())
        let prompt: String, response: String
        if let bar = words.firstIndex(of: "|") {
            prompt = words[..<bar].joined(separator: " ")
            response = words[(bar + 1)...].joined(separator: " ")
        } else {
            throw args.error("give a prompt and a response separated by |", hint: "reward score how do i make tea ? | sure ! heat water .")
        }
        guard !prompt.isEmpty, !response.isEmpty else { throw args.error("the prompt and the response must not be empty") }
        let pipeline = session.pipeline
        let model = try pipeline.model(.reward, for: "reward score")
        let encoder = pipeline.encoder(for: model)
        let score = RewardFunction(model: model, encoder: encoder).scores(promptTokens: [encoder.prompt(prompt)], responses: [encoder.response(response)])[0]
        let judgement = pipeline.labeler.judge(prompt: prompt, response: response)
        if pipeline.rewardEnsemble.count > 1 {
            let ensemble = RewardFunction(ensemble: pipeline.rewardEnsemble, encoder: encoder)
            let members = ensemble.memberScores(promptTokens: [encoder.prompt(prompt)], responses: [encoder.response(response)]).map { $0[0] }
            let k = session.settings.float("rl.ensemble_k")
            let mean = ensembleReward(members, penalty: 0), conservative = ensembleReward(members, penalty: max(k, 1))
            let spread = mean - ensembleReward(members, penalty: 1)
            let rows = members.enumerated().map { ["member \($0.offset + 1)", Format.number($0.element)] }
            return CommandResult([
                .table(TableDisplay(headers: ["reward model", "reward"], rows: rows + [["mean", Format.number(mean)], ["std", Format.number(spread)],
                                                                                     ["mean - \(Format.plain(Double(max(k, 1)))) std", Format.number(conservative)]],
                                    alignments: [.left, .right], maxWidth: session.width)),
                .text(Format.wrapHanging("rule labeler: \(Format.plain(judgement.score)): \(judgement.reasons.joined(separator: "; "))",
                                         width: session.width)),
            ], fields: ["rewards": .array(members.map { .number(Double($0)) }), "mean": .number(Double(mean)), "std": .number(Double(spread)),
                        "labeler_score": .number(judgement.score)], style: session.renderStyle)
        }
        let line = "reward \(Format.number(score))  (rule labeler: \(Format.plain(judgement.score)): \(judgement.reasons.joined(separator: "; ")))"
        return CommandResult(text: Format.wrapHanging(line, width: session.width),
                             fields: ["reward": .number(Double(score)), "labeler_score": .number(judgement.score)])
    }

    static func rewardEval(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 2)
        let count = try args.int(1, name: "pairs", default: 200, range: 50...5000)
        let pipeline = session.pipeline
        let model = try pipeline.model(.reward, for: "reward eval")
        let policy = try pipeline.model(.policy, for: "reward eval")
        let settings = try samplingSettings(session, model: policy, args, promptSets: ["heldout"])
        // fresh comparisons on held-out prompts, judged by the rule labeler (same mix as autolabel)
        let encoder = pipeline.encoder(for: policy)
        let prompts = PipelineState.prompts("heldout")
        var rng = RandomGenerator(seed: 2024)
        var comparisons: [Comparison] = []
        let base = pipeline.models[.base]
        let contrast = session.settings.float("pair.contrast")
        while comparisons.count < count {
            let batch = prompts.shuffledPrefix(64, rng: &rng)
            let tokens = batch.map(encoder.prompt)
            let first = sampleResponses(policy, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng)
            let second = sampleResponses(policy, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng)
            let secondBase = base.map { sampleResponses($0, prompts: tokens, settings: settings, eos: encoder.eos, rng: &rng) }
            for i in 0..<batch.count where comparisons.count < count {
                let other = base != nil && rng.nextUniform() < contrast ? secondBase![i] : second[i]
                let pair = PendingPair(prompt: batch[i], first: encoder.text(first[i].tokens), second: encoder.text(other.tokens))
                if let c = Stages.autolabel(pair, labeler: pipeline.labeler).0 { comparisons.append(c) }
            }
        }
        let stage = try RewardModelTraining(model: model, pairs: [], encoder: pipeline.encoder(for: model), settings: .init())
        let result = stage.evaluate(comparisons)
        let training = pipeline.preferences.isEmpty ? nil : stage.evaluate(Array(pipeline.preferences.suffix(500)))
        var text = "reward model on \(comparisons.count) held-out comparisons: accuracy \(Format.number(result.accuracy, decimals: 3)), loss \(Format.number(result.loss)), mean margin \(Format.number(result.margin))"
        if let training { text += "\non this session's last \(min(500, pipeline.preferences.count)) comparisons: accuracy \(Format.number(training.accuracy, decimals: 3))" }
        var rewards = stage.pairRewards(comparisons)
        if pipeline.rewardEnsemble.count > 1 {
            // The ensemble's mean reward is what it ranks by; each member's accuracy beside it.
            let perMember = try pipeline.rewardEnsemble.map {
                try RewardModelTraining(model: $0, pairs: [], encoder: pipeline.encoder(for: $0), settings: .init()).pairRewards(comparisons)
            }
            let accuracies = perMember.map { member in Double(member.filter { $0.chosen > $0.rejected }.count) / Double(member.count) }
            rewards = comparisons.indices.map { i in
                (perMember.map { $0[i].chosen }.reduce(0, +) / Double(perMember.count),
                 perMember.map { $0[i].rejected }.reduce(0, +) / Double(perMember.count))
            }
            let ensembleAccuracy = Double(rewards.filter { $0.chosen > $0.rejected }.count) / Double(rewards.count)
            text += "\nensemble of \(perMember.count): members \(accuracies.map { Format.number($0, decimals: 3) }.joined(separator: ", ")); " +
                "their mean reward \(Format.number(ensembleAccuracy, decimals: 3)) (the rows below judge the mean)"
        }
        let diagnostics = RewardDiagnostics(comparisons: comparisons, rewards: rewards)
        var displays: [Display] = [.text(text)]
        displays += diagnosticsDisplays(diagnostics, session: session)
        return CommandResult(displays, fields: [
            "heldout_accuracy": .number(result.accuracy), "heldout_loss": .number(result.loss),
            "train_accuracy": training.map { .number($0.accuracy) } ?? .null,
            "accuracy_by_gap": .array(diagnostics.buckets.map {
                .object(["gap": .string($0.label), "pairs": .int($0.pairs), "accuracy": .number($0.accuracy),
                         "interval": .array([.number($0.interval.low), .number($0.interval.high)])])
            }),
            "length_correlation": .number(diagnostics.lengthCorrelation),
        ], style: session.renderStyle)
    }

    /// Accuracy by the labeler's score gap (a table and bars), the length correlation, and the
    /// worst-ranked pairs with the labeler's reasons.
    static func diagnosticsDisplays(_ diagnostics: RewardDiagnostics, session: Session) -> [Display] {
        let rows = diagnostics.buckets.map { bucket -> [String] in
            [bucket.label, "\(bucket.pairs)", Format.number(bucket.accuracy, decimals: 2),
             String(format: "%.2f-%.2f", bucket.interval.low, bucket.interval.high)]
        }
        var displays: [Display] = [
            .table(TableDisplay(title: "accuracy by how clearly the labeler preferred one answer (its score gap):",
                                headers: ["labeler gap", "pairs", "accuracy", "95% interval"], rows: rows,
                                alignments: [.left, .right, .right, .right], maxWidth: session.width)),
            .text("reward vs answer length (words): correlation \(Format.number(diagnostics.lengthCorrelation, decimals: 2))" +
                  (diagnostics.lengthCorrelation > 0.3 ? " (longer answers score higher: a length bias)" : "")),
        ]
        let labeler = session.pipeline.labeler
        var worst = ["ranked worst (the labeler's choice first, r = reward):"]
        for pair in diagnostics.worst {
            let c = pair.comparison
            worst.append(Format.wrapHanging("  \(c.prompt)", width: session.width))
            for (mark, response, reward) in [("+", c.chosen, pair.rewardChosen), ("-", c.rejected, pair.rewardRejected)] {
                let judgement = labeler.judge(prompt: c.prompt, response: response)
                worst.append(Format.wrapHanging("    \(mark) r \(Format.number(reward)), labeler \(Format.plain(judgement.score)): \(response)",
                                                width: session.width, hang: 6))
                worst.append(Format.wrapHanging("        " + judgement.reasons.joined(separator: "; "), width: session.width))
            }
        }
        displays.append(.text(worst.joined(separator: "\n")))
        return displays
    }
}

extension Array {
    /// `count` elements drawn with replacement by a seeded generator.
    func shuffledPrefix(_ count: Int, rng: inout RandomGenerator) -> [Element] {
        (0..<count).map { _ in self[rng.nextInt(below: self.count)] }
    }
}
