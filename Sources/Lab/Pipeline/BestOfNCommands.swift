import Foundation
import Numerics
import GPT2
import Stages

/// `bestof`: best-of-n sampling, one prompt at a time or as the over-optimisation curve.
extension Command {
    /// The scorer that picks the best of n: the reward model, or with `rl.reward labeler` the
    /// rule labeler (the gold reward). An error, with both ways out, when neither is there.
    static func bestOfPicker(_ session: Session, _ args: Arguments, model: GPT2Model) throws -> RewardFunction {
        let pipeline = session.pipeline
        if session.settings.word("rl.reward") == "labeler" {
            return RewardFunction(labeler: pipeline.labeler, encoder: pipeline.encoder(for: model))
        }
        guard let rewardModel = pipeline.models[.reward] else {
            throw args.error("no reward model to pick the best sample",
                             hint: "make one with `reward init` or `:load reward reward`, or let the labeler pick with --rl.reward labeler")
        }
        return RewardFunction(model: rewardModel, encoder: pipeline.encoder(for: rewardModel))
    }

    static let bestofRange = 1...256

    static let bestof = Command(
        "bestof", group: .policy,
        arguments: "<n> [<prompt>] | curve [<max n>]",
        summary: "best-of-n: draw n answers, keep the one the reward model likes best; the over-optimisation curve",
        help: """
            `bestof N PROMPT` samples N responses from the policy to PROMPT (default: a random \
            training prompt), ranks them by the reward model's score (with --rl.reward labeler: \
            by the rule labeler's, the gold reward), shows each with the labeler's score and marks \
            the chosen one. The best-of-n policy needs no training; its KL to the policy is \
            log n - (n - 1) / n, whatever the model (Stiennon et al. 2020). \
            `bestof curve [MAX]` (default 64) draws MAX samples to every held-out prompt once and \
            takes best-of-n for n = 1, 2, 4, ..., MAX from the first n of them, so the whole curve \
            costs one sampling pass: the proxy (reward-model score of the chosen sample) and the \
            gold (labeler score of the same sample, with a 95% bootstrap interval over prompts) \
            against sqrt(KL), as in Gao et al. 2022, and the gold when the labeler itself picks. \
            The curve uses its own seeded random numbers (seed + 79), like `eval`.
            """,
        examples: ["bestof 8 how do i make tea ?", "bestof 4", "bestof 8 tea ? --rl.reward labeler", "bestof curve", "bestof curve 16"],
        completion: .words(["curve"]),
        options: [OptionSpec("prompts", value: "count", "bestof curve: use the first <count> held-out prompts (default all)")]
    ) { session, args in
        if args[0] == "curve" { return try overoptimisationCurve(session, args) }
        guard args[0] != nil else { throw args.error("missing <n>", hint: "e.g. `bestof 8 how do i make tea ?` or `bestof curve`") }
        let n = try args.int(0, name: "n", range: bestofRange)
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "bestof")
        let picker = try bestOfPicker(session, args, model: model)
        let settings = try samplingSettings(session, model: model, args)
        var words = args.positionals.dropFirst().joined(separator: " ")
        if !words.isEmpty { _ = try promptTokens(words, pipeline: pipeline, model: model, args) }
        // Every argument is checked: random numbers may be drawn now.
        var rng = session.rng
        let randomPrompt = words.isEmpty
        if randomPrompt {
            let pool = PipelineState.prompts("train")
            words = pool[rng.nextInt(below: pool.count)]
        }
        let prompt = try promptTokens(words, pipeline: pipeline, model: model, args)
        let question = words.replacingOccurrences(of: "<q>", with: "").replacingOccurrences(of: "<a>", with: "")
            .trimmingCharacters(in: .whitespaces)
        let encoder = pipeline.encoder(for: model)
        let samples = sampleResponses(model, prompts: [[Int32]](repeating: prompt, count: n), settings: settings,
                                      eos: encoder.eos, rng: &rng)
        session.rng = rng
        let tokens = samples.map(\.tokens)
        let questions = [String](repeating: question, count: n)
        let labelerScores = samples.map { pipeline.labeler.judge(prompt: question, response: encoder.text($0.tokens)).score }
        let rewardScores: [Float]? = pipeline.models[.reward].map {
            RewardFunction(model: $0, encoder: pipeline.encoder(for: $0)).scores(prompts: questions, responses: tokens)
        }
        let pickerScores = picker.labeler == nil ? rewardScores!.map(Double.init) : labelerScores
        let chosen = bestIndex(pickerScores[...])
        // Highest picker score first; equal scores keep their sampling order.
        let order = samples.indices.sorted { pickerScores[$0] > pickerScores[$1] || (pickerScores[$0] == pickerScores[$1] && $0 < $1) }
        let rows = order.enumerated().map { rank, i -> [String] in
            [i == chosen ? "* \(rank + 1)" : "\(rank + 1)", "\(i + 1)",
             rewardScores.map { Format.number($0[i]) } ?? "-", Format.plain(labelerScores[i]), encoder.text(samples[i].tokens)]
        }
        let kl = bestOfNKL(n)
        var displays: [Display] = unknownWordsNote(words, pipeline: pipeline).map { [.text($0)] } ?? []
        displays.append(.text("prompt\(randomPrompt ? " (a random training prompt)" : ""): \(question)"))
        displays.append(.table(TableDisplay(
            headers: ["rank", "sample", "reward", "labeler", "response"], rows: rows,
            alignments: [.right, .right, .right, .right, .left], maxWidth: max(session.width, 150), fitWidth: session.width,
            footnote: "* chosen: the highest \(picker.labeler == nil ? "reward-model" : "labeler") score of \(n) sample\(n == 1 ? "" : "s")" +
                " (ties go to the earliest sample)")))
        displays.append(.text(Format.wrapHanging("best-of-\(n) KL to the policy = log \(n) - \(n - 1)/\(n) = \(Format.number(kl)) nats" +
                                                 " (sqrt \(Format.number(kl.squareRoot())); it does not depend on the model)", width: session.width)))
        return CommandResult(displays, fields: [
            "prompt": .string(question), "n": .int(n), "kl": .number(kl), "chosen": .int(chosen + 1),
            "picked_by": .string(picker.labeler == nil ? "reward model" : "labeler"),
            "samples": .array(samples.indices.map { i in
                .object(["response": .string(encoder.text(samples[i].tokens)), "labeler_score": .number(labelerScores[i]),
                         "reward": rewardScores.map { .number(Double($0[i])) } ?? .null])
            }),
        ], style: session.renderStyle)
    }

    /// `bestof curve [<max n>]`: proxy and gold of best-of-n for n = 1, 2, 4, ..., max from one
    /// sampling pass of max samples per held-out prompt.
    static func overoptimisationCurve(_ session: Session, _ args: Arguments) throws -> CommandResult {
        try args.expect(atMost: 2)
        let maxN = try args.int(1, name: "max n", default: 64, range: 2...bestofRange.upperBound)
        guard maxN & (maxN - 1) == 0 else {
            throw args.error("<max n> is \(maxN), not a power of two", hint: "the curve doubles n: use 2, 4, 8, 16, 32, 64, 128 or 256")
        }
        let pipeline = session.pipeline
        let model = try pipeline.model(.policy, for: "bestof curve")
        guard let rewardModel = pipeline.models[.reward] else {
            throw args.error("no reward model: the curve compares its score (the proxy) with the labeler's (the gold)",
                             hint: "make one with `reward init` or `:load reward reward`")
        }
        var settings = try samplingSettings(session, model: model, args, promptSets: ["heldout"])
        settings.maxNewTokens = min(settings.maxNewTokens, model.config.contextLength / 2)
        let pool = PipelineState.prompts("heldout")
        var promptCount = pool.count
        if let text = args.options["prompts"] {
            guard let count = Int(text), (1...pool.count).contains(count) else {
                throw args.error("--prompts is \(text), out of range", hint: "allowed: 1 <= prompts <= \(pool.count) (the held-out prompts)")
            }
            promptCount = count
        }
        let questions = Array(pool.prefix(promptCount))
        let encoder = pipeline.encoder(for: model)
        var rng = RandomGenerator(seed: UInt64(session.settings.int("seed")) &+ 79)
        let samples = sampleGroups(model, prompts: questions.map(encoder.prompt), perPrompt: maxN, settings: settings,
                                   eos: encoder.eos, rng: &rng)
        let repeated = questions.flatMap { [String](repeating: $0, count: maxN) }
        let proxy = RewardFunction(model: rewardModel, encoder: pipeline.encoder(for: rewardModel))
            .scores(prompts: repeated, responses: samples.map(\.tokens)).map(Double.init)
        let gold = zip(repeated, samples).map { pipeline.labeler.judge(prompt: $0, response: encoder.text($1.tokens)).score }

        struct Point { let n: Int; let kl: Double; let proxy: Double; let gold: Double; let goldPerPrompt: [Double]
                       let interval: RateInterval; let ceiling: Double }
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(max(1, xs.count)) }
        var points: [Point] = []
        var n = 1
        while n <= maxN {
            let byProxy = bestOfN(scores: proxy, groupSize: maxN, n: n)
            let byGold = bestOfN(scores: gold, groupSize: maxN, n: n)
            let goldPerPrompt = byProxy.map { gold[$0] }
            points.append(Point(n: n, kl: bestOfNKL(n), proxy: mean(byProxy.map { proxy[$0] }), gold: mean(goldPerPrompt),
                                goldPerPrompt: goldPerPrompt, interval: bootstrapInterval(groups: goldPerPrompt.map { [$0] }, seed: 2024),
                                ceiling: mean(byGold.map { gold[$0] })))
            n *= 2
        }
        let rows = points.map { p -> [String] in
            [String(p.n), String(format: "%.4f", p.kl), String(format: "%.4f", p.kl.squareRoot()), String(format: "%.2f", p.proxy),
             String(format: "%.2f [%.2f, %.2f]", p.gold, p.interval.low, p.interval.high), String(format: "%.2f", p.ceiling)]
        }
        var displays: [Display] = [.table(TableDisplay(
            title: "best-of-n on \(questions.count) held-out prompts (\(maxN) samples each, drawn once; best-of-n uses the first n)",
            headers: ["n", "KL", "sqrt KL", "proxy (RM)", "gold (labeler)", "gold if labeler picks"], rows: rows,
            alignments: [.right, .right, .right, .right, .right, .right], maxWidth: max(session.width, 100),
            footnote: "(the reward model picks; proxy = its mean score of the chosen samples, gold = the labeler's mean score of the same samples,\n" +
                " 95% bootstrap interval over prompts; KL = log n - (n - 1)/n; the last column lets the labeler pick: the ceiling)"))]
        // Where the gold peaks, and whether the fall after it is larger than the noise: the
        // per-prompt difference between the peak and the largest n, bootstrapped over prompts.
        let peak = points.indices.max { points[$0].gold < points[$1].gold || (points[$0].gold == points[$1].gold && $0 > $1) }!
        let last = points[points.count - 1]
        var verdict = "gold peaks at n = \(points[peak].n) (sqrt KL \(Format.number(points[peak].kl.squareRoot(), decimals: 2))): " +
            String(format: "%.2f", points[peak].gold)
        if peak < points.count - 1 {
            let drops = zip(points[peak].goldPerPrompt, last.goldPerPrompt).map { [$0 - $1] }
            let dropInterval = bootstrapInterval(groups: drops, seed: 2024)
            let drop = mean(drops.map { $0[0] })
            verdict += String(format: "; at n = %d it is %.2f, %.2f lower (95%% interval %.2f to %.2f over prompts: %@)",
                              last.n, last.gold, drop, dropInterval.low, dropInterval.high,
                              dropInterval.low > 0 ? "larger than the noise" : "within the noise")
        } else {
            verdict += " at the largest n: no over-optimisation up to n = \(last.n)"
        }
        displays.append(.text(verdict))
        displays.append(.text(String(format: "all %d samples: proxy %.2f, gold %.2f (what n = 1 estimates from one sample per prompt)",
                                     samples.count, mean(proxy), mean(gold))))
        // Gao et al. measure both rewards from their value at n = 1 (R(0) = 0): the gains share a
        // unit and an origin, so one chart shows them.
        let x = points.map { $0.kl.squareRoot() }
        displays.append(.chart(ChartDisplay(
            title: "best-of-n: gain over n = 1 against sqrt(KL)", xLabel: "sqrt(KL)", yLabel: "score - score at n = 1",
            series: [ChartSeries(name: "proxy (reward model)", x: x, y: points.map { $0.proxy - points[0].proxy }),
                     ChartSeries(name: "gold (labeler)", x: x, y: points.map { $0.gold - points[0].gold })],
            style: .linesAndPoints, height: 10, width: max(10, min(60, session.width - 12)))))
        return CommandResult(displays, fields: [
            "prompts": .int(questions.count), "samples_per_prompt": .int(maxN), "gold_peak_n": .int(points[peak].n),
            "proxy_all_samples": .number(mean(proxy)), "gold_all_samples": .number(mean(gold)),
            "points": .array(points.map {
                .object(["n": .int($0.n), "kl": .number($0.kl), "proxy": .number($0.proxy), "gold": .number($0.gold),
                         "gold_interval": .array([.number($0.interval.low), .number($0.interval.high)]),
                         "gold_if_labeler_picks": .number($0.ceiling)])
            }),
        ], style: session.renderStyle)
    }
}
