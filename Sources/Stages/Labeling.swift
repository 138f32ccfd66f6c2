import Foundation
import Numerics
import GPT2

/// Two responses to one prompt, waiting for a label (stage 4: human feedback).
public struct PendingPair: Sendable {
    public let prompt: String
    public let first: String
    public let second: String
    /// When the pair was shown, to time how long the student took to compare.
    public let shownAt: Date

    public init(prompt: String, first: String, second: String, shownAt: Date = Date()) {
        self.prompt = prompt
        self.first = first
        self.second = second
        self.shownAt = shownAt
    }
}

/// Samples two responses to a prompt from the policy (stage 3 feeding stage 4). With a
/// `contrast` model, the second response comes from it instead (e.g. the base model, so the
/// reward model also sees answers the SFT model would never give).
public func samplePair(policy: GPT2Model, contrast: GPT2Model? = nil, prompt: String, encoder: Encoder,
                       sampling: SamplingSettings, rng: inout RandomGenerator) -> PendingPair {
    let tokens = encoder.prompt(prompt)
    let first = sampleResponses(policy, prompts: [tokens], settings: sampling, eos: encoder.eos, rng: &rng)[0]
    let second = sampleResponses(contrast ?? policy, prompts: [tokens], settings: sampling, eos: encoder.eos, rng: &rng)[0]
    return PendingPair(prompt: prompt, first: encoder.text(first.tokens), second: encoder.text(second.tokens), shownAt: Date())
}

/// Turns a label (0 = first is better, 1 = second) into a comparison record.
public func comparison(for pair: PendingPair, preferred: Int, labeler: String,
                       scores: (Double, Double)? = nil) -> Comparison {
    let chosen = preferred == 0 ? pair.first : pair.second
    let rejected = preferred == 0 ? pair.second : pair.first
    return Comparison(prompt: pair.prompt, chosen: chosen, rejected: rejected, labeler: labeler,
                      chosenScore: scores.map { preferred == 0 ? $0.0 : $0.1 },
                      rejectedScore: scores.map { preferred == 0 ? $0.1 : $0.0 })
}

/// Lets a rule labeler judge a pair: the comparison (nil on a tie) and both judgements.
public func autolabel(_ pair: PendingPair, labeler: any Labeler) -> (Comparison?, Judgement, Judgement) {
    let a = labeler.judge(prompt: pair.prompt, response: pair.first)
    let b = labeler.judge(prompt: pair.prompt, response: pair.second)
    guard a.score != b.score else { return (nil, a, b) }
    return (comparison(for: pair, preferred: a.score > b.score ? 0 : 1, labeler: labeler.name, scores: (a.score, b.score)), a, b)
}
