import Foundation
import Testing
import Numerics
import GPT2
import Stages

/// One GRPO step on a fixed batch against torch computing TRL's formulas
/// (tools/make_grpo_fixtures.py -> Tests/GPT2Tests/Fixtures/grpo-expected.json): advantages,
/// per-token log-probs, the loss and its gradient for four cases (ratio 1 and a shifted "old"
/// policy that clips; grpo and dapo aggregation; scale group, none and batch; beta 0 and 0.04).
/// Tolerance: 1e-5 relative to the largest value of each tensor (floats summed in another order).
@Suite struct GRPOFixtureTests {
    let expected: [String: Any]

    init() throws {
        expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("grpo-expected.json"))) as! [String: Any]
    }

    func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map(\.floatValue) }

    /// Largest |actual - expected| relative to the largest |expected| of the tensor; printed.
    @discardableResult
    func expectClose(_ actual: [Float], _ expectedValues: [Float], relative: Float = 1e-5, _ label: String) -> Float {
        let scale = max(expectedValues.map(abs).max() ?? 0, 1e-6)
        var largest: Float = 0
        for (a, e) in zip(actual, expectedValues) { largest = max(largest, abs(a - e) / scale) }
        print("\(label): largest difference \(largest) of the largest value \(scale)")
        #expect(actual.count == expectedValues.count && largest < relative, "\(label): largest relative difference \(largest)")
        return largest
    }

    @Test func lossAdvantagesAndGradientMatchTorch() throws {
        let groups = expected["groups"] as! [[String: Any]]
        var sequences: [[Int32]] = [], promptLengths: [Int] = [], rewards: [[Double]] = []
        for group in groups {
            let prompt = (group["prompt"] as! [NSNumber]).map(\.int32Value)
            for completion in group["completions"] as! [[NSNumber]] {
                sequences.append(prompt + completion.map(\.int32Value))
                promptLengths.append(prompt.count)
            }
            rewards.append((group["rewards"] as! [NSNumber]).map(\.doubleValue))
        }
        let batch = TokenBatch(sequences: sequences, promptLengths: promptLengths, pad: 1)
        let encoder = Encoder(tokenizer: numberedTokenizer(vocabularySize: 50), format: PromptFormat(), maxLength: 16)
        for fixture in expected["cases"] as! [[String: Any]] {
            let name = fixture["name"] as! String
            let policy = try loadFixtureModel("tiny-lm")
            let reference = try loadFixtureModel("tiny-lm-ref")
            var settings = GRPO.Settings()
            settings.scale = GRPO.Scale(rawValue: fixture["scale"] as! String)!
            settings.lossType = GRPO.LossType(rawValue: fixture["loss_type"] as! String)!
            settings.beta = Float(fixture["beta"] as! Double)
            settings.clipEpsilon = Float(fixture["epsilon"] as! Double)
            settings.groupSize = 3
            let stage = try GRPO(policy: policy, reference: reference, reward: RewardFunction(labeler: CountingLabeler(), encoder: encoder),
                                 encoder: encoder, trainingPrompts: ["t2"], settings: settings)
            let advantages = GRPO.advantages(rewards: rewards, scale: settings.scale).flatMap { $0 }
            expectClose(advantages.map(Float.init), floats(fixture["advantages"]), "\(name): advantages")
            // the reference's log-probs, ours
            let referenceAll = withoutGradients { tokenLogProbabilities(reference, batch, responsesOnly: true) }
            let referenceLogProbabilities = batch.responsePredictionPositions.flatMap { $0.map { referenceAll.data[$0] } }
            expectClose(referenceLogProbabilities, floats(fixture["ref_logps"]), "\(name): ref logps")
            let old: [Float]? = name.hasPrefix("ratio 1") ? nil : floats(fixture["old_logps"])
            for p in policy.parameters { p.zeroGrad() }
            let result = stage.loss(batch, advantages: advantages, oldLogProbabilities: old,
                                    referenceLogProbabilities: referenceLogProbabilities)
            expectClose(result.logProbabilities.data, floats(fixture["logps"]), "\(name): logps")
            let expectedLoss = fixture["loss"] as! Double
            print("\(name): loss \(result.loss.item) vs torch \(expectedLoss)")
            #expect(abs(Double(result.loss.item) - expectedLoss) <= 1e-5 * max(abs(expectedLoss), 1e-2), "\(name): loss")
            result.loss.backward()
            for (tensor, value) in fixture["grads"] as! [String: [String: Any]] {
                expectClose(policy.namedParameters[tensor]!.grad!, floats(value["data"]), "\(name): grad \(tensor)")
            }
        }
    }
}
