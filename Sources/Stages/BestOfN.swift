import Foundation
import Numerics
import GPT2

/// Best-of-n sampling: the simplest use of a reward model. No training at all: draw n
/// responses from the policy, score each, answer with the highest-scoring one.
///
///     y_1 ... y_n ~ policy(. | x)          chosen = argmax_i score(x, y_i)
///
/// The scores come from the reward model (the proxy) or, to see how good a perfect reward
/// model would be, from the labeler itself (the gold reward; Gao et al. 2022).

/// KL(best-of-n || policy) in nats, the standard closed form (Stiennon et al. 2020, "Learning
/// to summarize from human feedback", appendix; Gao et al. 2022, "Scaling laws for reward model
/// overoptimization", section 2):
///
///     KL_bon = log n - (n - 1) / n
///
/// It is exact when the n scores are all different, and an upper bound otherwise. It does not
/// depend on the model or the reward: n = 1 gives 0, n = 2 gives 0.1931, n = 64 gives 3.1745.
/// The KL grows only like log n: best-of-n moves the policy very little per sample drawn.
public func bestOfNKL(_ n: Int) -> Double {
    precondition(n >= 1, "bestOfNKL: n is \(n), it must be at least 1")
    let count = Double(n)
    return log(count) - (count - 1) / count
}

/// The index of the highest score; ties go to the first of them (the earliest sample), so the
/// choice never depends on anything but the scores and their order.
public func bestIndex<Score: Comparable>(_ scores: ArraySlice<Score>) -> Int {
    precondition(!scores.isEmpty, "bestIndex: no scores to choose from")
    var best = scores.startIndex
    for i in scores.indices where scores[i] > scores[best] { best = i }
    return best
}

/// For scores laid out as groups of `groupSize` samples per prompt ([prompt][sample], flat),
/// the index (into `scores`) of the best of the first `n` samples of each group.
///
///     chosen[p] = p * groupSize + argmax_{i < n} scores[p * groupSize + i]
///
/// Using the first n of the same samples for every n makes a whole curve over n cost one
/// sampling pass: best-of-2 is the better of samples 1 and 2, best-of-4 the best of 1 to 4, ...
public func bestOfN(scores: [Double], groupSize: Int, n: Int) -> [Int] {
    precondition(groupSize >= 1 && (1...groupSize).contains(n) && scores.count % groupSize == 0,
                 "bestOfN: n \(n) must be in 1...\(groupSize), and \(scores.count) scores a whole number of groups")
    return stride(from: 0, to: scores.count, by: groupSize).map { start in
        bestIndex(scores[start..<(start + n)])
    }
}

/// n samples per prompt from `model`, in batches of at most `batchRows` rows (one KV-cached
/// pass each), prompt by prompt: [prompt 1 sample 1 ... sample n, prompt 2 sample 1, ...].
public func sampleGroups(_ model: GPT2Model, prompts: [[Int32]], perPrompt n: Int, settings: SamplingSettings,
                         eos: Int32, rng: inout RandomGenerator, batchRows: Int = 1024) -> [SampledResponse] {
    let rows = prompts.flatMap { [[Int32]](repeating: $0, count: n) }
    var samples: [SampledResponse] = []
    samples.reserveCapacity(rows.count)
    for start in stride(from: 0, to: rows.count, by: batchRows) {
        samples += sampleResponses(model, prompts: Array(rows[start..<min(start + batchRows, rows.count)]),
                                   settings: settings, eos: eos, rng: &rng)
    }
    return samples
}

/// The best-of-n policy's answers: n samples to each prompt, scored by `picker` (the reward
/// model, or the labeler for the gold variant), the highest-scoring one kept for each prompt.
/// `questions` are the prompts as the person asked them (the labeler reads these).
public func sampleBestOfN(_ model: GPT2Model, questions: [String], n: Int, picker: RewardFunction,
                          encoder: Encoder, settings: SamplingSettings, rng: inout RandomGenerator) -> [SampledResponse] {
    let samples = sampleGroups(model, prompts: questions.map(encoder.prompt), perPrompt: n, settings: settings,
                               eos: encoder.eos, rng: &rng)
    let repeated = questions.flatMap { [String](repeating: $0, count: n) }
    let scores = picker.scores(prompts: repeated, responses: samples.map(\.tokens)).map(Double.init)
    return bestOfN(scores: scores, groupSize: n, n: n).map { samples[$0] }
}
