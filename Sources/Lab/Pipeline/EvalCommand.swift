import Foundation
import Numerics
import GPT2
import Stages

/// One row of the results table that `eval` builds up.
public struct EvaluationRow {
    public let label: String
    public let heldOut: EvaluationReport
    public let unseen: EvaluationReport
    /// n when the row is a best-of-n policy (its KL is the analytic log n - (n - 1) / n).
    public var bestOf: Int? = nil
}


extension Command {
    static let eval = Command(
        "eval", group: .policy,
        arguments: "[<role>|table|plot|clear] [--as <label>] [--bestof <n>]",
        summary: "judge a model's answers to new prompts: score, helpful rate, win rate vs the reference",
        help: """
            Samples eval.samples responses from the model in <role> (default policy) to every \
            held-out prompt (new phrasings of the training topics) and every unseen-topic prompt \
            (topics no stage trained on), and lets the rule labeler judge them: mean labeler \
            score, helpful rate (polite and on topic, with nothing rude, off-topic, repetitive or \
            unfinished), win rate against an independent sample of the reference model (ties \
            count half), KL to the reference, repetition (responses that repeat a word pair) and \
            the reward model's mean score. Each rate comes with its 95% interval in parentheses \
            (Wilson for the helpful and repetition rates, a seeded bootstrap over prompts for win \
            rates): two rates whose intervals overlap may differ only by chance. Each result is \
            kept as a row (named by --as); `eval table` prints all rows, `eval plot` charts their \
            reward-model score (the proxy) and labeler score (the gold) against sqrt(KL to ref), \
            `eval clear` forgets them. \
            --bestof N evaluates the best-of-N policy instead: each answer is the one of N samples \
            of the model that the reward model scores highest (with --rl.reward labeler, the \
            labeler picks); its KL column is the analytic log N - (N - 1) / N to the sampled model, \
            not a measurement (see `bestof`).
            """,
        examples: ["eval", "eval reference --as SFT", "eval table", "eval plot", "eval --bestof 8"],
        completion: .custom { _, index in index == 0 ? Role.allCases.map(\.rawValue) + ["table", "plot", "clear"] : [] },
        options: [OptionSpec("as", value: "label", "the row's name in `eval table`"),
                  OptionSpec("bestof", value: "n", "evaluate the best-of-n policy: n samples per answer, the reward model picks")]
    ) { session, args in
        try args.expect(atMost: 1)
        let pipeline = session.pipeline
        if args[0] == "table" { return resultsTable(pipeline.evaluationRows, session: session) }
        if args[0] == "plot" { return try resultsChart(pipeline.evaluationRows, session: session, args) }
        if args[0] == "clear" {
            pipeline.evaluationRows = []
            return CommandResult(text: "results table cleared")
        }
        let role = args[0] == nil ? Role.policy : try Command.role(args, 0, allowed: [.policy, .reference, .base])
        let model = try pipeline.model(role, for: "eval")
        var bestOf: (n: Int, picker: RewardFunction)? = nil
        if let text = args.options["bestof"] {
            guard let n = Int(text), bestofRange.contains(n) else {
                throw args.error("--bestof is \(text), out of range", hint: "allowed: 1 <= n <= \(bestofRange.upperBound)")
            }
            bestOf = (n, try bestOfPicker(session, args, model: model))
        }
        let reference = pipeline.models[.reference]
        let rewardModel = pipeline.models[.reward]
        var settings = try samplingSettings(session, model: model, args, promptSets: ["heldout", "unseen"])
        settings.maxNewTokens = min(settings.maxNewTokens, model.config.contextLength / 2)
        let k = session.settings.int("eval.samples")
        let encoder = pipeline.encoder(for: model)
        let reward = rewardModel.map { RewardFunction(model: $0, encoder: pipeline.encoder(for: $0)) }
        func run(_ set: String) -> EvaluationReport {
            evaluate(model: model, prompts: PipelineState.prompts(set), samplesPerPrompt: k, encoder: encoder,
                     labeler: pipeline.labeler, reward: reward, opponent: reference, reference: reference,
                     sampling: settings, seed: UInt64(session.settings.int("seed")) &+ 77, bestOf: bestOf)
        }
        let defaultLabel = bestOf.map { "best-of-\($0.n)" + ($0.picker.labeler == nil ? "" : " gold") + (role == .policy ? "" : " \(role.rawValue)") }
        let row = EvaluationRow(label: args.options["as"] ?? defaultLabel ?? role.rawValue, heldOut: run("heldout"), unseen: run("unseen"),
                                bestOf: bestOf?.n)
        pipeline.evaluationRows.removeAll { $0.label == row.label }
        pipeline.evaluationRows.append(row)
        var result = resultsTable([row], session: session)
        result.append(.text("examples (held-out prompts):\n" + row.heldOut.examples.prefix(4).map {
            Format.wrapHanging("  \($0.prompt) -> \($0.response)  (\(Format.plain($0.score)))", width: session.width)
        }.joined(separator: "\n")))
        return result
    }

    /// The rows' proxy (reward-model score) and gold (labeler score) against sqrt(KL to ref), in
    /// row order: the over-optimisation picture of Gao et al. 2022 for runs evaluated as they train.
    static func resultsChart(_ rows: [EvaluationRow], session: Session, _ args: Arguments) throws -> CommandResult {
        let points = rows.filter { $0.heldOut.meanKL != nil && $0.heldOut.meanRewardScore != nil }
        guard points.count >= 2 else {
            throw args.error("`eval plot` needs two rows with a KL and a reward-model score; there \(points.count == 1 ? "is 1" : "are \(points.count)")",
                             hint: "evaluate with a reference and a reward model loaded, e.g. `eval --as before`, train, `eval --as after`")
        }
        // KL as the table shows it: below 0.005 (a model against itself, up to rounding) is 0.
        let x = points.map { $0.heldOut.meanKL! < 0.005 ? 0 : $0.heldOut.meanKL!.squareRoot() }
        let chart = ChartDisplay(
            title: "eval rows: proxy and gold against sqrt(KL to ref)", xLabel: "sqrt(KL to ref)", yLabel: "mean score",
            series: [ChartSeries(name: "proxy (RM score)", x: x, y: points.map { $0.heldOut.meanRewardScore! }),
                     ChartSeries(name: "gold (labeler score)", x: x, y: points.map { $0.heldOut.meanLabelerScore })],
            style: .linesAndPoints, height: 10, width: max(10, min(60, session.width - 12)))
        let gold = points.map(\.heldOut.meanLabelerScore)
        let peak = gold.indices.max { gold[$0] < gold[$1] || (gold[$0] == gold[$1] && $0 > $1) }!
        let note = "points in row order (\(points.map(\.label).joined(separator: ", "))); the gold is highest at " +
            "\(points[peak].label) (\(String(format: "%.2f", gold[peak])), sqrt KL \(String(format: "%.2f", x[peak])))"
        return CommandResult([.chart(chart), .text(Format.wrapHanging(note, width: session.width, hang: 2))], fields: [
            "points": .array(points.indices.map { i in
                .object(["model": .string(points[i].label), "sqrt_kl": .number(x[i]),
                         "proxy": .number(points[i].heldOut.meanRewardScore!), "gold": .number(gold[i])])
            }),
        ], style: session.renderStyle)
    }

    static func resultsTable(_ rows: [EvaluationRow], session: Session) -> CommandResult {
        guard !rows.isEmpty else { return CommandResult(text: "no results yet: run `eval`") }
        func percent(_ x: Double?) -> String { x.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
        // "51% (44-58)": the rate and its 95% interval, in percent.
        func rate(_ x: Double?, _ interval: RateInterval?) -> String {
            guard let x, let interval else { return percent(x) }
            return percent(x) + String(format: " (%.0f-%.0f)", interval.low * 100, interval.high * 100)
        }
        let table = rows.map { row -> [String] in
            [row.label, String(format: "%.2f", row.heldOut.meanLabelerScore), rate(row.heldOut.helpfulRate, row.heldOut.helpfulInterval),
             rate(row.heldOut.winRate, row.heldOut.winInterval), rate(row.unseen.winRate, row.unseen.winInterval),
             rate(row.unseen.helpfulRate, row.unseen.helpfulInterval),
             row.heldOut.meanKL.map { String(format: "%.2f", abs($0) < 0.005 ? 0 : $0) } ?? "-",
             rate(row.heldOut.repetitionRate, row.heldOut.repetitionInterval),
             row.heldOut.meanRewardScore.map { String(format: "%.2f", $0) } ?? "-"]
        }
        let headers = ["model", "labeler score", "helpful", "win vs ref", "win unseen", "helpful unseen", "KL to ref", "repetitive", "RM score"]
        let display = Display.table(TableDisplay(headers: headers, rows: table, alignments: [.left] + Array(repeating: .right, count: 8),
                                                 maxWidth: max(session.width, 150), fitWidth: session.width,
                                                 footnote: "(held-out prompts unless marked unseen; \(rows[0].heldOut.samples) and \(rows[0].unseen.samples) samples; the rule labeler judges;\n" +
                                                    " 95% intervals in parentheses: Wilson for rates, a bootstrap over prompts for win rates, where ties count half)" +
                                                    (rows.contains { $0.bestOf != nil } ? "\n(best-of-n rows: KL is log n - (n - 1)/n to the model sampled, not measured)" : "")))
        func bounds(_ interval: RateInterval?) -> JSONValue {
            interval.map { .array([.number($0.low), .number($0.high)]) } ?? .null
        }
        func json(_ r: EvaluationReport) -> JSONValue {
            .object(["labeler_score": .number(r.meanLabelerScore), "helpful": .number(r.helpfulRate),
                     "helpful_interval": bounds(r.helpfulInterval),
                     "win_rate": r.winRate.map { .number($0) } ?? .null, "win_rate_interval": bounds(r.winInterval),
                     "kl": r.meanKL.map { .number($0) } ?? .null,
                     "repetition": .number(r.repetitionRate), "repetition_interval": bounds(r.repetitionInterval),
                     "distinct2": .number(r.distinct2),
                     "reward_score": r.meanRewardScore.map { .number($0) } ?? .null, "samples": .int(r.samples)])
        }
        return CommandResult([display], fields: ["rows": .array(rows.map {
            .object(["model": .string($0.label), "heldout": json($0.heldOut), "unseen": json($0.unseen)])
        })], style: session.renderStyle)
    }
}
