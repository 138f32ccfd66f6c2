import Foundation
import Testing
import Numerics
import GPT2
import Stages

/// Numbers a student can check with a pencil.
@Suite struct KnownValueTests {
    @Test func rewardModelWithEqualRewardsHasLossLn2() throws {
        let model = smallModel().rewardModel(seed: 1)
        model.scoreHead!.data = [Float](repeating: 0, count: model.scoreHead!.count)   // r = 0 for everything
        let stage = try RewardModelTraining(model: model, pairs: samplePairs, encoder: smallEncoder(), settings: .init())
        let report = try stage.step()
        #expect(abs(report.loss - Foundation.log(2)) < 1e-6)
        #expect(report.metric("accuracy") == 0)           // ties count as wrong
        for pair in stage.lastPairs {
            #expect(pair.delta == 0)
            #expect(abs(pair.lossGradient - -0.5) < 1e-12)
            #expect(abs(pair.sigmoidDelta - 0.5) < 1e-12)
        }
    }

    @Test func dpoWithPolicyEqualToReferenceHasLossLn2() throws {
        let policy = smallModel()
        let stage = try DPO(policy: policy, reference: policy.copy(), pairs: samplePairs, encoder: smallEncoder(), settings: .init())
        let report = try stage.step()
        #expect(abs(report.loss - Foundation.log(2)) < 1e-6)
        #expect(report.metric("rewards/margins") == 0)
    }

    @Test func firstPPOMinibatchHasRatioOneAndNoClipping() throws {
        let policy = smallModel(seed: 3)
        let rewardModel = smallModel(seed: 4).rewardModel(seed: 5)
        var settings = PPO.Settings()
        settings.prompts = 6
        settings.minibatch = 6
        settings.epochs = 1
        settings.sampling.maxNewTokens = 8
        let stage = try PPO(policy: policy, reference: policy.copy(), reward: RewardFunction(model: rewardModel, encoder: smallEncoder()),
                            encoder: smallEncoder(), trainingPrompts: ["how do i make tea ?", "bread ?"], settings: settings)
        let report = try stage.step()
        #expect(report.metric("policy/clipfrac") == 0)
        #expect(report.metric("policy/approxkl")! < 1e-10)
        for row in stage.lastTokenTables.flatMap({ $0 }) { #expect(abs(row.ratio - 1) < 1e-5) }
        // policy = reference at the rollout: every k1 kl_t is 0 (up to float rounding)
        #expect(abs(report.metric("objective/kl")!) < 1e-4)
    }

    @Test func gaeMatchesAHandWorkedExample() {
        // rewards [0, 0, 1], values [0.5, 0.6, 0.7], gamma 1, lambda 0.5
        // delta_2 = 1 + 0 - 0.7 = 0.3            A_2 = 0.3
        // delta_1 = 0 + 0.7 - 0.6 = 0.1          A_1 = 0.1 + 0.5 * 0.3 = 0.25
        // delta_0 = 0 + 0.6 - 0.5 = 0.1          A_0 = 0.1 + 0.5 * 0.25 = 0.225
        let (advantages, returns) = generalizedAdvantages(rewards: [0, 0, 1], values: [0.5, 0.6, 0.7], gamma: 1, lambda: 0.5)
        for (a, e) in zip(advantages, [0.225, 0.25, 0.3] as [Float]) { #expect(abs(a - e) < 1e-6) }
        for (r, e) in zip(returns, [0.725, 0.85, 1.0] as [Float]) { #expect(abs(r - e) < 1e-6) }
    }

    @Test func completionOnlyLossIgnoresPromptTargets() {
        let model = smallModel()
        let encoder = smallEncoder()
        let batch = encoder.batch(prompts: ["how do i make tea ?"], responses: ["sure ! heat water ."])
        let logits = withoutGradients { model.logits(batch) }
        var targets = batch.nextTokenTargets
        let mask = batch.responseMask
        let before = crossEntropy(logits, targets: targets, mask: mask).item
        for t in 0..<(batch.promptLengths[0] - 1) { targets[t] = 5 }   // change every prompt target
        #expect(crossEntropy(logits, targets: targets, mask: mask).item == before)
        // the response tokens and the EOS are counted: 5 words + EOS
        #expect(mask.reduce(0, +) == 6)
    }
}

@Suite struct StageMechanicsTests {
    func sftStage(_ model: GPT2Model) throws -> SupervisedFineTuning {
        let examples = samplePairs.map { PromptCompletion(prompt: $0.prompt, completion: $0.chosen) }
        var settings = SupervisedFineTuning.Settings()
        settings.batchSize = 2
        return try SupervisedFineTuning(model: model, examples: examples, encoder: smallEncoder(), settings: settings)
    }

    @Test func stoppingARunKeepsTheWeightsOfTheLastCompletedStep() throws {
        let a = smallModel(), b = smallModel()
        let stageA = try sftStage(a), stageB = try sftStage(b)
        var asked = 0
        let reportsA = try stageA.run(steps: 10, shouldStop: { asked += 1; return asked > 3 })
        _ = try stageB.run(steps: 3)
        #expect(reportsA.count == 3 && stageA.stepsDone == 3)
        for (p, q) in zip(a.parameters, b.parameters) { #expect(p.data == q.data) }
    }

    @Test func aNonFiniteLossIsRefusedAndLeavesTheWeights() throws {
        let model = smallModel()
        let stage = try sftStage(model)
        // finite but huge attention weights: q . k overflows to infinity, the loss becomes NaN
        model.blocks[0].attentionWeight.data = model.blocks[0].attentionWeight.data.map { $0 * 1e21 }
        let before = model.parameters.map(\.data)
        #expect(throws: DivergenceError.self) { try stage.step() }
        do { _ = try stage.step() } catch let error as DivergenceError {
            #expect(error.description.contains("lower learning rate"))
            #expect(error.step == 1)
        }
        for (p, saved) in zip(model.parameters, before) { #expect(p.data == saved) }
        #expect(stage.stepsDone == 0)
    }

    @Test func anEnormousLearningRateNeverLeavesNonFiniteWeights() throws {
        let model = smallModel()
        let stage = try sftStage(model)
        stage.settings.learningRate = 1e6
        stage.settings.gradientClip = 0
        for _ in 0..<20 {
            let before = model.parameters.map(\.data)
            do { _ = try stage.step() } catch is DivergenceError {
                for (p, saved) in zip(model.parameters, before) { #expect(p.data == saved) }
            }
            #expect(model.parameters.allSatisfy { $0.data.allSatisfy(\.isFinite) })
        }
        // the stage still works with a sane learning rate
        stage.settings.learningRate = 1e-3
        _ = try? stage.step()
    }

    @Test func badHyperparametersAreRefusedWithTheRange() {
        var settings = SupervisedFineTuning.Settings()
        settings.learningRate = .nan
        #expect(throws: HyperparameterError.self) { try settings.validate() }
        do { try settings.validate() } catch { #expect("\(error)".contains("sft.lr must be a number in (0,")) }
        var ppo = PPO.Settings()
        ppo.clipEpsilon = -0.1
        #expect(throws: HyperparameterError.self) { try ppo.validate() }
        ppo.clipEpsilon = 0.2
        ppo.gamma = 1.5
        #expect(throws: HyperparameterError.self) { try ppo.validate() }
    }

    @Test func sftHeldOutLossIsReported() throws {
        let model = smallModel()
        let examples = samplePairs.map { PromptCompletion(prompt: $0.prompt, completion: $0.chosen) }
        let stage = try SupervisedFineTuning(model: model, examples: Array(examples.prefix(2)), heldOut: [examples[2]],
                                             encoder: smallEncoder(), settings: .init())
        let before = stage.evaluate()
        _ = try stage.run(steps: 30)
        let after = stage.evaluate()
        #expect(after.train < before.train)
        #expect(after.heldOut! > after.train)
    }

    @Test func rewardModelLearnsThePreferences() throws {
        let model = smallModel().rewardModel(seed: 2)
        var settings = RewardModelTraining.Settings()
        settings.learningRate = 3e-3
        let stage = try RewardModelTraining(model: model, pairs: samplePairs, encoder: smallEncoder(), settings: settings)
        _ = try stage.run(steps: 40)
        #expect(stage.evaluate(samplePairs).accuracy == 1)
    }

    @Test func reinforceStepReportsEverySample() throws {
        let policy = smallModel(seed: 7)
        var settings = Reinforce.Settings()
        settings.prompts = 3
        settings.samplesPerPrompt = 2
        settings.baseline = .rloo
        settings.sampling.maxNewTokens = 6
        let stage = try Reinforce(policy: policy, reference: policy.copy(),
                                  reward: RewardFunction(model: smallModel(seed: 8).rewardModel(seed: 9), encoder: smallEncoder()),
                                  encoder: smallEncoder(), trainingPrompts: ["tea ?", "bread ?"], settings: settings)
        let report = try stage.step()
        #expect(report.examples.count == 6)
        // leave-one-out: each baseline is the other sample's reward (K = 2)
        for group in stride(from: 0, to: 6, by: 2) {
            #expect(abs(report.examples[group][3] - report.examples[group + 1][2]) < 1e-9)
        }
        #expect(report.updates.count == policy.parameters.count)
    }

    @Test func aLabelerCanBeTheReward() throws {
        // the gold reward: each sample's score is the labeler's score of its text
        let policy = smallModel(seed: 7)
        var settings = Reinforce.Settings()
        settings.prompts = 4
        settings.sampling.maxNewTokens = 6
        let reward = RewardFunction(labeler: CountingLabeler(), encoder: smallEncoder())
        #expect(reward.model == nil && reward.source == "the counting-labeler labeler")
        let stage = try Reinforce(policy: policy, reference: policy.copy(), reward: reward, encoder: smallEncoder(),
                                  trainingPrompts: ["tea ?", "bread ?"], settings: settings)
        _ = try stage.step()
        let rollouts = try #require(stage.lastRollouts)
        for (i, prompt) in rollouts.prompts.enumerated() {
            #expect(rollouts.scores[i] == Float(CountingLabeler().judge(prompt: prompt, response: rollouts.texts[i]).score))
        }
        #expect(reward.scores(prompts: ["tea ?"], responses: [smallEncoder().response("tea tea")]) == [2])
    }

    @Test func evaluationJudgesSamples() {
        let model = smallModel(seed: 11)
        let report = evaluate(model: model, prompts: ["tea ?", "bread ?"], samplesPerPrompt: 3, encoder: smallEncoder(),
                              labeler: CountingLabeler(), opponent: model.copy(), reference: model.copy(),
                              sampling: SamplingSettings(maxNewTokens: 6), seed: 1)
        #expect(report.samples == 6)
        #expect(report.winRate! >= 0 && report.winRate! <= 1)
        #expect(abs(report.meanKL!) < 1e-3)    // the same weights: KL 0
    }
}

@Suite struct PreferenceTests {
    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-\(getpid())-\(name)")
    }

    @Test func appendedLabelsAreOnDiskAndReload() throws {
        let url = temporaryURL("prefs.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let store = try PreferenceStore(url: url)
        for pair in samplePairs { try store.append(pair) }
        let loaded = try PreferenceStore.load(from: url)
        #expect(loaded.comparisons == samplePairs)
        #expect(loaded.problems.isEmpty)
    }

    @Test func aTornLastLineIsReportedAndTheRestKept() throws {
        let url = temporaryURL("torn.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let store = try PreferenceStore(url: url)
        try store.append(samplePairs[0])
        try store.append(samplePairs[1])
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        handle.write(Data("{\"prompt\": \"tea ?\", \"cho".utf8))
        handle.closeFile()
        let loaded = try PreferenceStore.load(from: url)
        #expect(loaded.comparisons.count == 2)
        #expect(loaded.problems.count == 1 && loaded.problems[0].contains("torn"))
        // opening the store cuts the torn line off, and new labels follow the valid ones
        let again = try PreferenceStore(url: url)
        #expect(again.problems.count == 1 && again.comparisons.count == 2)
        try again.append(samplePairs[2])
        #expect(try PreferenceStore.load(from: url).comparisons.count == 3)
    }

    @Test func aBadLineInTheMiddleIsAnError() throws {
        let url = temporaryURL("bad.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{\"prompt\":\"a\",\"chosen\":\"b\",\"rejected\":\"c\"}\nnot json\n{\"prompt\":\"a\",\"chosen\":\"b\",\"rejected\":\"c\"}\n".utf8).write(to: url)
        #expect(throws: DataFileError.self) { try PreferenceStore.load(from: url) }
    }

    @Test func trlRecordsImportAndExportRoundTrips() throws {
        let url = temporaryURL("export.jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{\"prompt\":\"tea ?\",\"chosen\":\"heat water .\",\"rejected\":\"go away .\"}\n".utf8).write(to: url)
        let imported = try PreferenceStore.load(from: url).comparisons
        #expect(imported.count == 1 && imported[0].labeler == "imported")
        // a record without a time keeps none, so loading the file again gives the same labels
        #expect(imported[0].time == "")
        try PreferenceStore.export(samplePairs, to: url)
        #expect(try PreferenceStore.load(from: url).comparisons == samplePairs)
    }

    @Test func aRankingExpandsIntoAllPairs() {
        let pairs = Comparison.pairs(prompt: "tea ?", rankedBestFirst: ["a", "b", "c", "d"], labeler: "student")
        #expect(pairs.count == 6)
        #expect(pairs.map { "\($0.chosen)>\($0.rejected)" } == ["a>b", "a>c", "a>d", "b>c", "b>d", "c>d"])
    }
}
