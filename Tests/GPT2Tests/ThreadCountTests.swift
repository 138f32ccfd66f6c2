import Foundation
import Testing
import Numerics
import GPT2

/// The thread count changes the speed, never a number: training steps of a language model and
/// a reward model give the same bits on 1, 2 and 3 threads. The model is large enough that its
/// products are split into blocks and its attention heads across threads.
@Suite struct ThreadCountTests {
    let config = GPT2Config(vocabSize: 384, contextLength: 64, embeddingSize: 128, layerCount: 2, headCount: 4,
                            bosTokenId: 0, eosTokenId: 0)

    /// Two AdamW steps of next-token cross-entropy on 8 rows of 64 tokens: the losses, then every parameter.
    func languageModelSteps(threads: Int) -> [[Float]] {
        ComputeThreads.$forThisTask.withValue(threads) {
            let model = GPT2Model(config: config, seed: 21)
            let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-3)
            var rng = RandomGenerator(seed: 22)
            let tokens = (0..<(8 * 65)).map { _ in Int32(rng.nextInt(below: config.vocabSize)) }
            var inputs: [Int32] = [], targets: [Int32] = []
            for row in 0..<8 {
                inputs += tokens[(row * 65)..<(row * 65 + 64)]
                targets += tokens[(row * 65 + 1)..<(row * 65 + 65)]
            }
            let batch = TokenBatch(tokens: inputs, rows: 8, time: 64, lengths: [Int](repeating: 64, count: 8),
                                   promptLengths: [Int](repeating: 0, count: 8))
            var losses: [Float] = []
            for _ in 0..<2 {
                optimizer.zeroGradients()
                let loss = crossEntropy(model.logits(batch), targets: targets)
                loss.backward()
                optimizer.step()
                losses.append(loss.item)
            }
            return [losses] + model.parameters.map(\.data)
        }
    }

    /// One AdamW step of -log sigmoid(r_chosen - r_rejected) on 8 pairs of 48 tokens.
    func rewardModelStep(threads: Int) -> [[Float]] {
        ComputeThreads.$forThisTask.withValue(threads) {
            let model = GPT2Model(config: config, seed: 23).rewardModel(seed: 24)
            let optimizer = AdamW(parameters: model.parameters, learningRate: 1e-3)
            var rng = RandomGenerator(seed: 25)
            let batch = TokenBatch(tokens: (0..<(16 * 48)).map { _ in Int32(rng.nextInt(below: config.vocabSize)) },
                                   rows: 16, time: 48, lengths: [Int](repeating: 48, count: 16),
                                   promptLengths: [Int](repeating: 0, count: 16))
            let rewards = reshape(model.rewards(batch), [16, 1])
            let loss = negate(mean(logSigmoid(selectRows(rewards, Array(0..<8)) - selectRows(rewards, Array(8..<16)))))
            loss.backward()
            optimizer.step()
            return [rewards.data, [loss.item]] + model.parameters.map(\.data)
        }
    }

    func expectSameBits(_ one: [[Float]], _ other: [[Float]], _ what: String) {
        #expect(one.count == other.count)
        for (index, (a, b)) in zip(one, other).enumerated() {
            let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(what), array \(index): \(differing) of \(a.count) numbers differ")
        }
    }

    @Test func languageModelTrainingGivesTheSameBitsOnAnyThreadCount() {
        let one = languageModelSteps(threads: 1)
        #expect(one[0].allSatisfy { $0.isFinite })
        expectSameBits(one, languageModelSteps(threads: 2), "2 threads")
        expectSameBits(one, languageModelSteps(threads: 3), "3 threads")
    }

    @Test func rewardModelTrainingGivesTheSameBitsOnAnyThreadCount() {
        let one = rewardModelStep(threads: 1)
        expectSameBits(one, rewardModelStep(threads: 2), "2 threads")
        expectSameBits(one, rewardModelStep(threads: 3), "3 threads")
    }
}
