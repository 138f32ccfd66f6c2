import Foundation
import Numerics
import GPT2

/// How good a model's answers are on a set of prompts, judged by a labeler and a reward model.
public struct EvaluationReport: Sendable {
    public let samples: Int
    /// Mean reward-model score of the model's samples (nil without a reward model).
    public let meanRewardScore: Double?
    /// Mean labeler score.
    public let meanLabelerScore: Double
    /// Fraction of samples the labeler calls helpful.
    public let helpfulRate: Double
    /// Fraction of comparisons against an independent sample of the opponent model that the
    /// labeler wins (ties count one half); nil without an opponent.
    public let winRate: Double?
    /// Mean over samples of sum_t (log p_model - log p_reference): KL(model || reference), k1.
    public let meanKL: Double?
    /// Distinct word bigrams / all word bigrams over every sample (lower = more repetitive).
    public let distinct2: Double
    /// Fraction of samples in which a word bigram occurs twice (the repetition that reward hacking brings).
    public let repetitionRate: Double
    /// A few (prompt, response, labeler score) examples.
    public let examples: [(prompt: String, response: String, score: Double)]
    /// 95% intervals: Wilson for the helpful and repetition rates; for the win rate (ties count
    /// one half, so it is not a plain proportion) a seeded bootstrap over prompts.
    public let helpfulInterval: RateInterval
    public let winInterval: RateInterval?
    public let repetitionInterval: RateInterval
}

/// Samples `samplesPerPrompt` responses per prompt from `model` and judges them.
/// With an `opponent`, as many independent opponent samples are drawn and compared one to one
/// by the labeler. With a `reference`, the KL of the model's samples to it is measured.
///
/// With `bestOf`, the model judged is the best-of-n policy: each of its samples is the
/// highest-scoring of n samples of `model` (scored by the picker: the reward model or the
/// labeler), and its KL is the analytic KL(best-of-n || model) = log n - (n - 1) / n, not a
/// measurement (so it is the KL to the reference only when `model` is the reference).
public func evaluate(model: GPT2Model, prompts: [String], samplesPerPrompt: Int, encoder: Encoder,
                     labeler: any Labeler, reward: RewardFunction? = nil, opponent: GPT2Model? = nil,
                     reference: GPT2Model? = nil, sampling: SamplingSettings, seed: UInt64,
                     bestOf: (n: Int, picker: RewardFunction)? = nil) -> EvaluationReport {
    var rng = RandomGenerator(seed: seed)
    let repeated = prompts.flatMap { [String](repeating: $0, count: samplesPerPrompt) }
    let promptTokens = repeated.map(encoder.prompt)
    let samples: [SampledResponse]
    if let bestOf {
        samples = sampleBestOfN(model, questions: repeated, n: bestOf.n, picker: bestOf.picker, encoder: encoder,
                                settings: sampling, rng: &rng)
    } else {
        samples = sampleResponses(model, prompts: promptTokens, settings: sampling, eos: encoder.eos, rng: &rng)
    }
    let texts = samples.map { encoder.text($0.tokens) }
    let judgements = zip(repeated, texts).map { labeler.judge(prompt: $0, response: $1) }
    let n = Double(max(1, texts.count))
    let rewardScores = reward.map { $0.scores(prompts: repeated, responses: samples.map(\.tokens)) }

    var winRate: Double? = nil
    var winsByPrompt = [[Double]](repeating: [], count: prompts.count)
    if let opponent {
        var opponentRng = RandomGenerator(seed: seed &+ 1)
        let opponentSamples = sampleResponses(opponent, prompts: promptTokens, settings: sampling, eos: encoder.eos, rng: &opponentRng)
        var wins = 0.0
        for (i, sample) in opponentSamples.enumerated() {
            let theirs = labeler.judge(prompt: repeated[i], response: encoder.text(sample.tokens)).score
            let ours = judgements[i].score
            let outcome = ours > theirs ? 1 : (ours == theirs ? 0.5 : 0)
            wins += outcome
            winsByPrompt[i / max(1, samplesPerPrompt)].append(outcome)
        }
        winRate = wins / n
    }

    var meanKL: Double? = bestOf.map { bestOfNKL($0.n) }
    if let reference, bestOf == nil {
        let batch = TokenBatch(sequences: zip(promptTokens, samples).map { $0 + $1.tokens },
                               promptLengths: promptTokens.map(\.count), pad: encoder.pad)
        let temperature = sampling.temperature == 0 ? 1 : sampling.temperature
        let referenceAll = withoutGradients { tokenLogProbabilities(reference, batch, temperature: temperature, responsesOnly: true) }
        var total = 0.0
        for (row, positions) in batch.responsePredictionPositions.enumerated() {
            for (i, position) in positions.enumerated() {
                total += Double(samples[row].choices[i].logProbability) - Double(referenceAll.data[position])
            }
        }
        meanKL = total / n
    }

    var bigrams = 0, distinct = Set<String>(), repetitive = 0
    for text in texts {
        let words = text.split(separator: " ")
        var seen = Set<String>(), repeats = false
        for i in 0..<max(0, words.count - 1) {
            let bigram = "\(words[i]) \(words[i + 1])"
            bigrams += 1
            distinct.insert(bigram)
            if !seen.insert(bigram).inserted { repeats = true }
        }
        if repeats { repetitive += 1 }
    }
    let exampleCount = min(texts.count, 6)
    let stride = max(1, texts.count / max(1, exampleCount))
    let examples = (0..<exampleCount).map { i -> (prompt: String, response: String, score: Double) in
        let index = i * stride
        return (repeated[index], texts[index], judgements[index].score)
    }
    return EvaluationReport(
        samples: texts.count,
        meanRewardScore: rewardScores.map { $0.reduce(0) { $0 + Double($1) } / n },
        meanLabelerScore: judgements.reduce(0) { $0 + $1.score } / n,
        helpfulRate: Double(judgements.filter(\.isHelpful).count) / n,
        winRate: winRate, meanKL: meanKL,
        distinct2: bigrams > 0 ? Double(distinct.count) / Double(bigrams) : 1,
        repetitionRate: Double(repetitive) / n,
        examples: examples,
        helpfulInterval: wilsonInterval(successes: judgements.filter(\.isHelpful).count, total: texts.count),
        winInterval: winRate == nil ? nil : bootstrapInterval(groups: winsByPrompt, seed: seed),
        repetitionInterval: wilsonInterval(successes: repetitive, total: texts.count))
}
