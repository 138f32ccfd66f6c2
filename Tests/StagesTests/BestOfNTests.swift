import Foundation
import Testing
import Numerics
import GPT2
import Stages

/// Best-of-n: the analytic KL, the choice of the best sample, and the best-of-n policy.
@Suite struct BestOfNTests {
    @Test func klMatchesTheClosedForm() {
        // KL_bon = log n - (n - 1) / n (Stiennon et al. 2020; Gao et al. 2022); tolerance 1e-4.
        let pinned: [(n: Int, kl: Double)] = [(1, 0), (2, 0.1931), (4, 0.6363), (8, 1.2044), (64, 3.1745), (256, 4.5491)]
        for (n, kl) in pinned {
            #expect(abs(bestOfNKL(n) - kl) < 1e-4, "n = \(n): \(bestOfNKL(n)), expected \(kl)")
        }
        #expect(bestOfNKL(1) == 0)
        #expect(abs(bestOfNKL(2) - (log(2) - 0.5)) < 1e-12)
        // It grows like log n: each doubling adds a little less than log 2.
        for n in [1, 2, 4, 8, 16, 32, 64, 128] {
            let step = bestOfNKL(2 * n) - bestOfNKL(n)
            #expect(step > 0 && step <= log(2), "n = \(n): \(step)")
        }
    }

    @Test func selectionPicksTheMaximumAndBreaksTiesByOrder() {
        #expect(bestIndex([0.5, 2.0, -1.0][...]) == 1)
        #expect(bestIndex([3.0, 1.0, 3.0, 3.0][...]) == 0)         // a tie goes to the first
        #expect(bestIndex([1.0, 4.0, 2.0, 4.0][...]) == 1)
        #expect(bestIndex([7.0][...]) == 0)
        #expect(bestIndex([1, 5, 2, 9, 0][2...]) == 3)              // indices of the whole array
        // Two prompts, 4 samples each; best-of-n looks at the first n of each group.
        let scores: [Double] = [1, 3, 3, 9,   5, 2, 6, 6]
        #expect(bestOfN(scores: scores, groupSize: 4, n: 1) == [0, 4])
        #expect(bestOfN(scores: scores, groupSize: 4, n: 2) == [1, 4])
        #expect(bestOfN(scores: scores, groupSize: 4, n: 3) == [1, 6])
        #expect(bestOfN(scores: scores, groupSize: 4, n: 4) == [3, 6])
    }

    /// A labeler that likes long answers: the score is the number of words.
    struct LengthLabeler: Labeler {
        let name = "length"
        func judge(prompt: String, response: String) -> Judgement {
            Judgement(score: Double(response.split(separator: " ").count), reasons: [], isHelpful: true)
        }
    }

    @Test func theBestOfNPolicyAnswersWithTheHighestScoringSample() {
        let model = smallModel(seed: 3), encoder = smallEncoder()
        let picker = RewardFunction(labeler: LengthLabeler(), encoder: encoder)
        let settings = SamplingSettings(temperature: 1, topK: 0, topP: 1, maxNewTokens: 8)
        let questions = ["how do i make tea ?", "bread ?"]
        var rng = RandomGenerator(seed: 5)
        let chosen = sampleBestOfN(model, questions: questions, n: 6, picker: picker, encoder: encoder, settings: settings, rng: &rng)
        // The same random numbers, all 6 samples: the chosen one is the longest of each prompt's 6.
        var again = RandomGenerator(seed: 5)
        let all = sampleGroups(model, prompts: questions.map(encoder.prompt), perPrompt: 6, settings: settings,
                               eos: encoder.eos, rng: &again)
        #expect(chosen.count == 2)
        for p in 0..<2 {
            let lengths = all[(p * 6)..<(p * 6 + 6)].map { Double(encoder.text($0.tokens).split(separator: " ").count) }
            let first = lengths.firstIndex(of: lengths.max()!)!
            #expect(chosen[p].tokens == all[p * 6 + first].tokens, "prompt \(p): lengths \(lengths)")
        }
        // Best-of-1 is the policy itself.
        var one = RandomGenerator(seed: 5), plain = RandomGenerator(seed: 5)
        let single = sampleBestOfN(model, questions: questions, n: 1, picker: picker, encoder: encoder, settings: settings, rng: &one)
        let direct = sampleResponses(model, prompts: questions.map(encoder.prompt), settings: settings, eos: encoder.eos, rng: &plain)
        #expect(single.map(\.tokens) == direct.map(\.tokens))
    }
}
