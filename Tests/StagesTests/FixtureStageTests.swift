import Foundation
import Testing
import Numerics
import GPT2
import Stages

/// Reward-model and DPO losses, gradients and one SGD step against transformers + torch
/// (Tests/GPT2Tests/Fixtures/stages-expected.json). Tolerances: 1e-5 absolute for rewards and
/// losses, 1e-4 relative (floor 1e-6) for gradients and parameters.
@Suite struct FixtureStageTests {
    let expected: [String: Any]
    let pairs: [Comparison]

    init() throws {
        expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("stages-expected.json"))) as! [String: Any]
        pairs = (expected["pairs"] as! [[String: Any]]).map { pair in
            func ids(_ key: String) -> [Int32] { (pair[key] as! [NSNumber]).map(\.int32Value) }
            return Comparison(prompt: text(ids("prompt")), chosen: text(ids("chosen")), rejected: text(ids("rejected")), labeler: "fixture")
        }
    }

    func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map(\.floatValue) }

    func expectClose(_ actual: [Float], _ expectedValues: [Float], relative: Float, _ label: String) {
        var largest: Float = 0
        for (a, e) in zip(actual, expectedValues) { largest = max(largest, abs(a - e) / max(abs(e), 1e-2)) }
        print("\(label): largest relative difference \(largest)")
        #expect(actual.count == expectedValues.count && largest < relative, "\(label): largest relative difference \(largest)")
    }

    @Test func rewardModelLossGradientsAndSGDStep() throws {
        let model = try loadFixtureModel("tiny-reward")
        let encoder = Encoder(tokenizer: numberedTokenizer(vocabularySize: 50), format: PromptFormat(), maxLength: 16)
        var settings = RewardModelTraining.Settings()
        settings.gradientClip = 0
        settings.batchSize = 2
        let stage = try RewardModelTraining(model: model, pairs: pairs, encoder: encoder, settings: settings)
        let reward = expected["reward"] as! [String: Any]
        let (loss, results) = stage.loss(pairs)
        expectClose(results.map { Float($0.rewardChosen) }, floats(reward["r_chosen"]), relative: 1e-4, "r_chosen")
        expectClose(results.map { Float($0.rewardRejected) }, floats(reward["r_rejected"]), relative: 1e-4, "r_rejected")
        #expect(abs(Double(loss.item) - (reward["loss"] as! Double)) < 1e-5)
        loss.backward()
        for (name, value) in reward["grads"] as! [String: [String: Any]] {
            expectClose(model.namedParameters[name]!.grad!, floats(value["data"]), relative: 1e-3, "reward grad \(name)")
        }
        // one SGD step (lr 0.1) from fresh gradients
        for p in model.parameters { p.clearGrad() }
        stage.useSGD(learningRate: 0.1)
        let (stepLoss, _) = stage.loss(pairs)
        try OptimizationStep(stage: "reward", optimizer: stage.optimizer, gradientClip: 0).apply(loss: stepLoss, step: 1)
        for (name, value) in reward["params_after_sgd"] as! [String: [String: Any]] {
            expectClose(model.namedParameters[name]!.data, floats(value["data"]), relative: 1e-4, "reward after SGD \(name)")
        }
    }

    @Test func dpoLossGradientsAndSGDStep() throws {
        let policy = try loadFixtureModel("tiny-lm")
        let reference = try loadFixtureModel("tiny-lm-ref")
        let encoder = Encoder(tokenizer: numberedTokenizer(vocabularySize: 50), format: PromptFormat(), maxLength: 16)
        var settings = DPO.Settings()
        settings.beta = 0.1
        settings.gradientClip = 0
        let stage = try DPO(policy: policy, reference: reference, pairs: pairs, encoder: encoder, settings: settings)
        let dpo = expected["dpo"] as! [String: Any]
        let (loss, rewardsChosen, rewardsRejected) = stage.loss(pairs)
        expectClose(rewardsChosen.map(Float.init), floats(dpo["chosen_rewards"]), relative: 1e-3, "dpo chosen rewards")
        expectClose(rewardsRejected.map(Float.init), floats(dpo["rejected_rewards"]), relative: 1e-3, "dpo rejected rewards")
        #expect(abs(Double(loss.item) - (dpo["loss"] as! Double)) < 1e-5)
        stage.useSGD(learningRate: 0.1)
        try OptimizationStep(stage: "dpo", optimizer: stage.optimizer, gradientClip: 0).apply(loss: loss, step: 1)
        for (name, value) in dpo["grads"] as! [String: [String: Any]] {
            expectClose(policy.namedParameters[name]!.grad!, floats(value["data"]), relative: 1e-3, "dpo grad \(name)")
        }
        for (name, value) in dpo["params_after_sgd"] as! [String: [String: Any]] {
            expectClose(policy.namedParameters[name]!.data, floats(value["data"]), relative: 1e-4, "dpo after SGD \(name)")
        }
    }
}
