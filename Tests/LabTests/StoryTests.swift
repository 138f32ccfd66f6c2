import Foundation
import Testing
import Lab

/// The whole RLHF story (lessons/story.rlhf), from the shipped base model to the final table,
/// with the claims the lessons make checked as thresholds (not exact values):
/// the base model is worst; SFT memorises its answers; the reward model learns the labeler's
/// taste; without a KL penalty the policy games the reward model; with one it beats SFT; a
/// second round of labels on the policy's own answers makes the reward model better where the
/// policy is and lifts RLHF to the targets of issue 16 (helpful >= 60%, win >= 75%, unseen win
/// >= 65%, reward-model accuracy >= 0.80); the gold reward stays ahead; DPO beats SFT.
@Suite struct StoryTests {
    @Test func theStoryComesTrue() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try String(contentsOf: repository.appendingPathComponent("lessons/story.rlhf"), encoding: .utf8)
        let session = Session(console: .capturing())
        var rewardAccuracies: [Double] = []
        var sftLosses: (train: Double, heldOut: Double)? = nil
        for line in script.split(separator: "\n").map(String.init) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let outcome = session.execute(line: text)   // shipped models are found from the package root
            try #require(outcome.ok, "\(text): \(outcome.stderr)")
            if text == "reward eval", case .number(let accuracy)? = outcome.result?.fields["heldout_accuracy"] { rewardAccuracies.append(accuracy) }
            if text.hasPrefix("sft "), case .number(let train)? = outcome.result?.fields["train_loss"],
               case .number(let heldOut)? = outcome.result?.fields["heldout_loss"] { sftLosses = (train, heldOut) }
        }
        let rows = Dictionary(uniqueKeysWithValues: session.pipeline.evaluationRows.map { ($0.label, $0) })
        let base = try #require(rows["base"]), sft = try #require(rows["SFT"])
        let round1 = try #require(rows["RLHF round 1"]), round2 = try #require(rows["RLHF round 2"])
        let hacked = try #require(rows["RLHF beta 0"]), gold = try #require(rows["RLHF gold reward"]), dpo = try #require(rows["DPO"])
        print("story:", rows.values.map { "\($0.label): score \($0.heldOut.meanLabelerScore) helpful \($0.heldOut.helpfulRate) win \($0.heldOut.winRate ?? -1) unseen \($0.unseen.winRate ?? -1) KL \($0.heldOut.meanKL ?? -1)" })

        // the base model rambles: lowest score, never helpful, loses to SFT
        for other in [sft, round1, round2, hacked, gold, dpo] { #expect(base.heldOut.meanLabelerScore < other.heldOut.meanLabelerScore) }
        #expect(base.heldOut.helpfulRate < 0.05)
        #expect(base.heldOut.winRate! < 0.4)
        // SFT memorises its few answers
        let losses = try #require(sftLosses)
        #expect(losses.heldOut > 5 * losses.train)
        // the reward model learns the labeler's taste (well above chance on new prompts), and after
        // the second round it is right in at least 80% of comparisons of the policy's answers
        try #require(rewardAccuracies.count == 2)
        #expect(rewardAccuracies[0] > 0.7)
        #expect(rewardAccuracies[1] >= 0.8)
        // round 1: RLHF with a KL penalty beats SFT by more than the noise, staying close to it
        #expect(round1.heldOut.meanLabelerScore > sft.heldOut.meanLabelerScore + 1)
        #expect(round1.heldOut.helpfulInterval.low > sft.heldOut.helpfulInterval.high)
        #expect(round1.heldOut.winInterval!.low > 0.5)
        #expect(round1.heldOut.meanKL! < 5)
        // without the penalty the policy games the same reward model: higher RM score, lower
        // labeler score, a large KL and more repetition
        #expect(hacked.heldOut.meanRewardScore! > round1.heldOut.meanRewardScore!)
        #expect(hacked.heldOut.meanLabelerScore < round1.heldOut.meanLabelerScore)
        #expect(hacked.heldOut.meanKL! > 2 * round1.heldOut.meanKL!)
        #expect(hacked.heldOut.repetitionRate > round1.heldOut.repetitionRate)
        // round 2 reaches the targets, beats round 1 by more than the noise, and its intervals
        // lie above SFT's and above one half
        #expect(round2.heldOut.helpfulRate >= 0.6)
        #expect(round2.heldOut.winRate! >= 0.75)
        #expect(round2.unseen.winRate! >= 0.65)
        #expect(round2.heldOut.helpfulInterval.low > round1.heldOut.helpfulInterval.high)
        #expect(round2.heldOut.helpfulInterval.low > sft.heldOut.helpfulInterval.high)
        #expect(round2.heldOut.winInterval!.low > 0.6)
        #expect(round2.unseen.winInterval!.low > 0.5)
        #expect(round2.heldOut.meanKL! < 5)
        // the gold reward (the labeler's own score) still does better: the proxy costs something
        #expect(gold.heldOut.meanLabelerScore > round2.heldOut.meanLabelerScore)
        // DPO on the same comparisons beats SFT
        #expect(dpo.heldOut.winRate! > 0.5)
        #expect(dpo.heldOut.winInterval!.low > 0.5)
        #expect(dpo.heldOut.meanLabelerScore > sft.heldOut.meanLabelerScore)
    }
}
