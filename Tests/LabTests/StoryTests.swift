import Foundation
import Testing
import Lab

/// The whole RLHF story (lessons/story.rlhf), from the shipped base model to the final table,
/// with the claims the lessons make checked as thresholds (not exact values):
/// the base model is worst; SFT memorises its answers; the reward model learns the labeler's
/// taste; RLHF with a KL penalty beats SFT on new prompts and on unseen topics; without the
/// penalty the policy games the reward model; DPO beats SFT.
@Suite struct StoryTests {
    @Test func theStoryComesTrue() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try String(contentsOf: repository.appendingPathComponent("lessons/story.rlhf"), encoding: .utf8)
        let session = Session(console: .capturing())
        var rewardAccuracy: Double? = nil
        var sftLosses: (train: Double, heldOut: Double)? = nil
        for line in script.split(separator: "\n").map(String.init) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let outcome = session.execute(line: text)   // shipped models are found from the package root
            try #require(outcome.ok, "\(text): \(outcome.stderr)")
            if text == "reward eval", case .number(let accuracy)? = outcome.result?.fields["heldout_accuracy"] { rewardAccuracy = accuracy }
            if text.hasPrefix("sft "), case .number(let train)? = outcome.result?.fields["train_loss"],
               case .number(let heldOut)? = outcome.result?.fields["heldout_loss"] { sftLosses = (train, heldOut) }
        }
        let rows = Dictionary(uniqueKeysWithValues: session.pipeline.evaluationRows.map { ($0.label, $0) })
        let base = try #require(rows["base"]), sft = try #require(rows["SFT"])
        let rlhf = try #require(rows["RLHF beta 0.3"]), hacked = try #require(rows["RLHF beta 0"]), dpo = try #require(rows["DPO"])
        print("story:", rows.values.map { "\($0.label): score \($0.heldOut.meanLabelerScore) helpful \($0.heldOut.helpfulRate) win \($0.heldOut.winRate ?? -1) unseen \($0.unseen.winRate ?? -1) KL \($0.heldOut.meanKL ?? -1)" })

        // the base model rambles: lowest score, never helpful, loses to SFT
        for other in [sft, rlhf, hacked, dpo] { #expect(base.heldOut.meanLabelerScore < other.heldOut.meanLabelerScore) }
        #expect(base.heldOut.helpfulRate < 0.05)
        #expect(base.heldOut.winRate! < 0.4)
        // SFT memorises its few answers
        let losses = try #require(sftLosses)
        #expect(losses.heldOut > 5 * losses.train)
        // the reward model learns the labeler's taste (well above chance on new prompts)
        #expect(try #require(rewardAccuracy) > 0.7)
        // RLHF with a KL penalty beats SFT on new phrasings and on unseen topics, staying close to it
        #expect(rlhf.heldOut.meanLabelerScore > sft.heldOut.meanLabelerScore + 1)
        #expect(rlhf.heldOut.helpfulRate > sft.heldOut.helpfulRate + 0.1)
        #expect(rlhf.heldOut.winRate! > 0.6)
        #expect(rlhf.unseen.winRate! > 0.55)
        #expect(rlhf.heldOut.meanKL! < 5)
        // ... by more than the noise: the 95% intervals do not overlap, and the win rate's lower
        // bound is above one half
        #expect(rlhf.heldOut.helpfulInterval.low > sft.heldOut.helpfulInterval.high)
        #expect(rlhf.heldOut.winInterval!.low > 0.5)
        #expect(rlhf.unseen.winInterval!.low > 0.5)
        // without the penalty the policy games the reward model: higher RM score, lower labeler
        // score, a large KL and more repetition
        #expect(hacked.heldOut.meanRewardScore! > rlhf.heldOut.meanRewardScore!)
        #expect(hacked.heldOut.meanLabelerScore < rlhf.heldOut.meanLabelerScore)
        #expect(hacked.heldOut.meanKL! > 2 * rlhf.heldOut.meanKL!)
        #expect(hacked.heldOut.repetitionRate > rlhf.heldOut.repetitionRate)
        // DPO on the same comparisons beats SFT
        #expect(dpo.heldOut.winRate! > 0.5)
        #expect(dpo.heldOut.winInterval!.low > 0.5)
        #expect(dpo.heldOut.meanLabelerScore > sft.heldOut.meanLabelerScore)
    }
}
