import Foundation
import Testing
import Numerics
import GPT2
import Stages

/// GRPO's numbers, worked by hand: advantages (the Bessel-std trap), the clipped per-token loss,
/// the grpo/dapo aggregation, and a finite-difference check of the whole loss.
@Suite struct GRPOTests {
    func expectClose(_ actual: [Double], _ expected: [Double], _ tolerance: Double = 1e-5,
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) < tolerance, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
    }

    @Test func advantagesOfOneAndZeroArePlusMinusPoint7071() {
        // mean 0.5; std = sqrt((0.25 + 0.25) / (2 - 1)) = 0.70711 (Bessel); A = +-0.5 / (0.70711 + 1e-4)
        let a = GRPO.advantages(rewards: [[1, 0]], scale: .group)
        expectClose(a[0], [0.707007, -0.707007])
        // the population std would give +-1: the trap TRL's users fall into (trl#2832)
        #expect(abs(a[0][0] - 1) > 0.29)
        // any two different rewards give +-0.7071: only the order within the group matters
        expectClose(GRPO.advantages(rewards: [[5, 4.5]], scale: .group)[0], [0.706907, -0.706907])
        // 4 of 8 correct: std = sqrt(8 * 0.25 / 7) = 0.53452; A = +-0.5 / 0.53462 = +-0.93524
        expectClose(GRPO.advantages(rewards: [[1, 1, 1, 1, 0, 0, 0, 0]], scale: .group)[0],
                    [0.935239, 0.935239, 0.935239, 0.935239, -0.935239, -0.935239, -0.935239, -0.935239])
        // {1, 1, 2}: mean 4/3, std sqrt((1/9 + 1/9 + 4/9) / 2) = 0.57735
        expectClose(GRPO.advantages(rewards: [[1, 1, 2]], scale: .group)[0], [-0.577250, -0.577250, 1.154500])
    }

    @Test func equalRewardsGiveZeroAdvantages() {
        let a = GRPO.advantages(rewards: [[3, 3, 3, 3], [1, 0]], scale: .group)
        #expect(a[0] == [0, 0, 0, 0])
        #expect(GRPO.besselStandardDeviation([3, 3, 3, 3]) == 0)
        #expect(GRPO.advantages(rewards: [[-2, -2]], scale: .none)[0] == [0, 0])
    }

    @Test func scaleNoneAndBatch() {
        // none (Dr. GRPO): A = r - mean(group)
        expectClose(GRPO.advantages(rewards: [[1, 0], [3, 3, 6]], scale: .none).flatMap { $0 }, [0.5, -0.5, -1, -1, 2])
        // batch: group mean, batch std: rewards 1 0 3 3, mean 1.75, std sqrt(6.75 / 3) = 1.5
        expectClose(GRPO.advantages(rewards: [[1, 0], [3, 3]], scale: .batch).flatMap { $0 },
                    [0.5 / 1.5001, -0.5 / 1.5001, 0, 0])
    }

    @Test func lossAggregationOnARaggedBatch() {
        // response 1: 1 token; response 2: 3 tokens
        let grpo = GRPO.tokenWeights(lengths: [1, 3], lossType: .grpo)
        let dapo = GRPO.tokenWeights(lengths: [1, 3], lossType: .dapo)
        expectClose(grpo.map(Double.init), [0.5, 1.0 / 6, 1.0 / 6, 1.0 / 6])
        expectClose(dapo.map(Double.init), [0.25, 0.25, 0.25, 0.25])
        // per-token losses [4 | 1, 2, 3]: grpo = (4 + 2) / 2 = 3, dapo = 10 / 4 = 2.5
        let losses: [Float] = [4, 1, 2, 3]
        #expect(abs(zip(losses, grpo).reduce(0) { $0 + $1.0 * $1.1 } - 3) < 1e-6)
        #expect(abs(zip(losses, dapo).reduce(0) { $0 + $1.0 * $1.1 } - 2.5) < 1e-6)
        // the length bias: A = +0.5 on the short response, -0.5 on the long one, ratio 1
        // grpo: (-0.5 + 0.5) / 2 = 0; dapo: (-0.5 + 3 * 0.5) / 4 = 0.25
        let logp = Tensor(shape: [4, 1], data: [-1, -2, -0.5, -3])
        let perToken = GRPO.tokenLoss(logProbabilities: logp, oldLogProbabilities: logp, referenceLogProbabilities: logp,
                                      advantages: Tensor(shape: [4, 1], data: [0.5, -0.5, -0.5, -0.5]), clipEpsilon: 0.2, beta: 0)
        #expect(abs(sum(perToken * Tensor(shape: [4, 1], data: grpo)).item) < 1e-7)
        #expect(abs(sum(perToken * Tensor(shape: [4, 1], data: dapo)).item - 0.25) < 1e-7)
    }

    @Test func clippingOnlyStopsTheGradientOnTheProfitableSide() {
        // ratio 1.5 and 0.5, advantage +1 and -1, eps 0.2:
        //   A = +1, ratio 1.5: -min(1.5, 1.2) = -1.2, clipped, gradient 0
        //   A = +1, ratio 0.5: -min(0.5, 0.8) = -0.5, not clipped, d/dlogp = -ratio = -0.5
        //   A = -1, ratio 0.5: -min(-0.5, -0.8) = 0.8, clipped, gradient 0
        //   A = -1, ratio 1.5: -min(-1.5, -1.2) = 1.5, not clipped, d/dlogp = ratio = 1.5
        let old = Tensor(shape: [4, 1], data: [0, 0, 0, 0].map { Float($0) - 1 })
        let logp = Tensor(shape: [4, 1], data: [log(1.5), log(0.5), log(0.5), log(1.5)].map { Float($0) - 1 }, requiresGrad: true)
        let loss = GRPO.tokenLoss(logProbabilities: logp, oldLogProbabilities: old, referenceLogProbabilities: old,
                                  advantages: Tensor(shape: [4, 1], data: [1, 1, -1, -1]), clipEpsilon: 0.2, beta: 0)
        expectClose(loss.data.map(Double.init), [-1.2, -0.5, 0.8, 1.5])
        sum(loss).backward()
        expectClose(logp.grad!.map(Double.init), [0, -0.5, 0, 1.5])
    }

    @Test func k3IsZeroAtTheReferenceAndPositiveElsewhere() {
        #expect(GRPO.k3(logProbability: -1.3, referenceLogProbability: -1.3) == 0)
        // d = ref - logp = 1: e - 1 - 1 = 0.71828
        #expect(abs(GRPO.k3(logProbability: -2, referenceLogProbability: -1) - 0.718282) < 1e-5)
        #expect(GRPO.k3(logProbability: -1, referenceLogProbability: -2) > 0)
    }

    /// d loss / d logits by finite differences, with ratios away from the clip edges and a KL term.
    @Test(arguments: [GRPO.LossType.grpo, .dapo])
    func lossGradientMatchesFiniteDifferences(lossType: GRPO.LossType) {
        var rng = RandomGenerator(seed: 21)
        let logits = Tensor.randomNormal([5, 7], std: 1, rng: &rng)
        let targets: [Int32] = [3, 0, 6, 2, 5]
        let start = withoutGradients { gatherLogProbabilities(logits, ids: targets) }.data
        let ratios: [Float] = [1, 1.1, 1.5, 0.6, 0.9]
        let old = Tensor(shape: [5, 1], data: zip(start, ratios).map { $0 - Foundation.log($1) })
        let reference = Tensor(shape: [5, 1], data: start.enumerated().map { $1 + 0.3 * Float($0 - 2) })
        let advantages = Tensor(shape: [5, 1], data: [0.7, 0.7, -1.2, -1.2, -1.2])
        let weights = Tensor(shape: [5, 1], data: GRPO.tokenWeights(lengths: [2, 3], lossType: lossType))
        let result = checkGradients(of: {
            let logp = reshape(gatherLogProbabilities(logits, ids: targets), [5, 1])
            let perToken = GRPO.tokenLoss(logProbabilities: logp, oldLogProbabilities: old, referenceLogProbabilities: reference,
                                          advantages: advantages, clipEpsilon: 0.2, beta: 0.04)
            return sum(perToken * weights)
        }, inputs: [logits])
        #expect(result.maxRelativeError < 2e-2, "\(result)")
        #expect(result.checkedElements == 35)
    }

    func stage(reward: RewardFunction, iterations: Int = 1, learningRate: Float = 5e-4, seed: UInt64 = 3) throws -> GRPO {
        let policy = smallModel(seed: seed)
        var settings = GRPO.Settings()
        settings.prompts = 3
        settings.groupSize = 4
        settings.iterations = iterations
        settings.learningRate = learningRate
        settings.sampling.maxNewTokens = 6
        return try GRPO(policy: policy, reference: policy.copy(), reward: reward, encoder: smallEncoder(),
                        trainingPrompts: ["how do i make tea ?", "bread ?"], settings: settings)
    }

    @Test func aStepReportsTRLMetricsAndItsGroups() throws {
        let grpo = try stage(reward: RewardFunction(model: smallModel(seed: 4).rewardModel(seed: 5), encoder: smallEncoder()))
        let report = try grpo.step()
        for name in ["reward", "reward_std", "frac_reward_zero_std", "kl", "clip_ratio/region_mean", "entropy", "completions/mean_length"] {
            #expect(report.metric(name) != nil, "\(name)")
        }
        // one update, by the policy that sampled: ratio 1, nothing clipped, k3 = 0 (policy = reference)
        #expect(report.metric("clip_ratio/region_mean") == 0)
        #expect(abs(report.metric("kl")!) < 1e-5)
        #expect(grpo.lastGroups.count == 3 && report.examples.count == 12)
        for group in grpo.lastGroups {
            #expect(group.advantages == GRPO.advantages(rewards: [group.rewards], scale: .group)[0])
            #expect(abs(group.mean - GRPO.mean(group.rewards)) < 1e-12)
        }
        let lengths = try #require(grpo.lastRollouts).positions.map(\.count)
        #expect(abs(report.metric("completions/mean_length")! - Double(lengths.reduce(0, +)) / 12) < 1e-9)
    }

    /// "My GRPO loss is zero": a reward that never changes gives A = 0 for everyone.
    @Test func aConstantRewardGivesZeroLossAndZeroGradient() throws {
        struct Constant: Labeler {
            let name = "constant"
            func judge(prompt: String, response: String) -> Judgement { Judgement(score: 2, reasons: [], isHelpful: true) }
        }
        let grpo = try stage(reward: RewardFunction(labeler: Constant(), encoder: smallEncoder()))
        let before = grpo.policy.parameters.map(\.data)
        let report = try grpo.step()
        #expect(report.loss == 0 && report.gradientNorm == 0)
        #expect(report.metric("frac_reward_zero_std") == 1 && report.metric("reward_std") == 0)
        #expect(grpo.lastGroups.allSatisfy { $0.hasZeroStd && $0.advantages.allSatisfy { $0 == 0 } })
        #expect(grpo.policy.parameters.map(\.data) == before)
    }

    @Test func moreIterationsMoveTheRatioAndClip() throws {
        let reward = RewardFunction(labeler: CountingLabeler(), encoder: smallEncoder())
        let once = try stage(reward: reward, iterations: 1, learningRate: 3e-2)
        #expect(try once.step().metric("clip_ratio/region_mean") == 0)
        let four = try stage(reward: reward, iterations: 4, learningRate: 3e-2)
        let report = try four.step()
        #expect(report.metric("clip_ratio/region_mean")! > 0)
    }

    @Test func badSettingsAreRefused() {
        var settings = GRPO.Settings()
        settings.groupSize = 1
        #expect(throws: HyperparameterError.self) { try settings.validate() }
        settings.groupSize = 8
        settings.clipEpsilon = 0
        #expect(throws: HyperparameterError.self) { try settings.validate() }
        settings.clipEpsilon = 0.2
        settings.iterations = 0
        #expect(throws: HyperparameterError.self) { try settings.validate() }
    }
}
