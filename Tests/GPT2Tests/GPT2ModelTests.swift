import Foundation
import Testing
import Numerics
import GPT2

func modelTestConfig(reward: Bool = false) -> GPT2Config {
    var config = GPT2Config(vocabSize: 23, contextLength: 12, embeddingSize: 16, layerCount: 2, headCount: 4, bosTokenId: 0, eosTokenId: 0)
    if reward { config.architectures = ["GPT2ForSequenceClassification"] }
    return config
}

@Suite struct GPT2ModelTests {
    @Test func incrementalForwardMatchesFullForward() {
        let model = GPT2Model(config: modelTestConfig(), seed: 1)
        let tokens: [Int32] = [3, 7, 1, 22, 0, 5, 9]
        let full = withoutGradients { model.logits(TokenBatch(rows: [tokens])) }
        let engine = IncrementalForward(model: model, rows: 1, capacity: tokens.count)
        var largest: Float = 0
        for (t, token) in tokens.enumerated() {
            engine.step(tokens: [token])
            for v in 0..<23 { largest = max(largest, abs(engine.logits[v] - full.data[t * 23 + v])) }
        }
        #expect(largest < 1e-5, "largest difference \(largest)")
    }

    @Test func sampledLogProbabilitiesMatchTrainingPath() {
        let model = GPT2Model(config: modelTestConfig(), seed: 2)
        var rng = RandomGenerator(seed: 3)
        let prompts: [[Int32]] = [[5, 6, 7], [8], [9, 10]]
        let settings = SamplingSettings(temperature: 0.8, maxNewTokens: 6)
        let samples = sampleResponses(model, prompts: prompts, settings: settings, eos: 0, rng: &rng)
        #expect(samples.count == 3)
        // recompute with the batched training path: [prompt][response][EOS?]
        for sample in samples {
            let response = sample.finished ? Array(sample.tokens.dropLast()) : sample.tokens
            let batch = TokenBatch(prompts: [sample.prompt], responses: [response], eos: 0, pad: 1, maxLength: 12)
            let perToken = withoutGradients { tokenLogProbabilities(model, batch, temperature: 0.8) }
            for (j, choice) in sample.choices.enumerated() {
                let position = sample.prompt.count + j - 1
                #expect(abs(perToken.data[position] - choice.logProbability) < 1e-4)
            }
        }
    }

    @Test func samplingIsDeterministicForASeed() {
        let model = GPT2Model(config: modelTestConfig(), seed: 4)
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let s1 = sampleResponses(model, prompts: [[1, 2], [1, 2]], settings: SamplingSettings(), eos: 0, rng: &a)
        let s2 = sampleResponses(model, prompts: [[1, 2], [1, 2]], settings: SamplingSettings(), eos: 0, rng: &b)
        #expect(s1.map(\.tokens) == s2.map(\.tokens))
    }

    @Test func greedyPicksTheLargestLogit() {
        let model = GPT2Model(config: modelTestConfig(), seed: 5)
        var rng = RandomGenerator(seed: 1)
        let sample = sampleResponses(model, prompts: [[4, 5]], settings: SamplingSettings(temperature: 0, maxNewTokens: 1),
                                     eos: 0, rng: &rng)[0]
        let logits = nextTokenLogits(model, prompt: [4, 5])
        #expect(Int(sample.tokens[0]) == logits.indices.max { logits[$0] < logits[$1] })
    }

    @Test func topKAndTopPKeepTheRightTokens() {
        let logits: [Float] = [2.0, 1.0, 0.5, 0.0, -1.0]
        let k2 = nextTokenDistribution(logits: logits, settings: SamplingSettings(topK: 2))
        #expect(k2.final[2] == 0 && k2.final[3] == 0 && k2.final[4] == 0)
        #expect(abs(k2.final[0] + k2.final[1] - 1) < 1e-6)
        let p = nextTokenDistribution(logits: logits, settings: SamplingSettings(topP: 0.6))
        // probabilities ~ [0.53, 0.20, 0.12, 0.07, 0.03]: the top token alone is 0.53 < 0.6, so two kept
        #expect(p.final.filter { $0 > 0 }.count == 2)
    }

    @Test func wholeModelGradientCheck() {
        // weights of order 0.3 (not GPT-2's 0.02) so that a step of h = 1e-2 is small against them
        let config = GPT2Config(vocabSize: 7, contextLength: 5, embeddingSize: 8, layerCount: 1, headCount: 2, bosTokenId: 0, eosTokenId: 0)
        var rng = RandomGenerator(seed: 6)
        var tensors: [String: Tensor] = [:]
        for (name, shape) in gpt2ParameterShapes(config) {
            let t = Tensor.randomNormal(shape, std: 0.3, rng: &rng)
            if name.contains("ln_") { t.data = t.data.map { $0 + 1 } }
            tensors[name] = t
        }
        let model = try! GPT2Model(config: config, tensors: tensors)
        let batch = TokenBatch(rows: [[1, 2, 3, 4], [4, 3, 2, 1]])
        let targets = batch.nextTokenTargets
        let mask = batch.tokenMask
        // check a few parameters of different kinds (every element of each)
        let checked = [model.blocks[0].attentionWeight, model.blocks[0].norm2.weight, model.tokenEmbedding]
        let result = checkGradients(of: { crossEntropy(model.logits(batch), targets: targets, mask: mask) },
                                    inputs: checked)
        #expect(result.maxRelativeError < 2e-2, "\(result)")
    }

    @Test func rewardIsReadAtTheLastRealToken() {
        let model = GPT2Model(config: modelTestConfig(reward: true), seed: 7)
        let batch = TokenBatch(prompts: [[2, 3], [2, 3]], responses: [[5, 6], [5]], eos: 0, pad: 1, maxLength: 12)
        let both = withoutGradients { model.rewards(batch) }
        let alone = withoutGradients { model.rewards(TokenBatch(prompts: [[2, 3]], responses: [[5]], eos: 0, pad: 1, maxLength: 12)) }
        #expect(abs(both.data[1] - alone.data[0]) < 1e-5)   // padding does not change a reward
    }

    /// The last block run at chosen rows only gives the numbers of the whole model read at those
    /// rows, and the same gradients (up to float32 rounding: loops here, sgemm there).
    @Test func hiddenStatesAtRowsMatchAllRows() {
        let model = GPT2Model(config: modelTestConfig(), seed: 8)
        let batch = TokenBatch(prompts: [[2, 3, 4], [2]], responses: [[5, 6], [7, 8, 9]], eos: 0, pad: 1, maxLength: 12)
        let rows = [0, 3, 5, 6, 9, 10]   // time 6: rows 0 ..< 12
        var rng = RandomGenerator(seed: 9)
        let upstream = Tensor.randomNormal([rows.count, 16], std: 1, rng: &rng)
        func run(_ hidden: () -> Tensor) -> (output: [Float], gradients: [[Float]]) {
            for p in model.parameters { p.clearGrad() }
            let output = hidden()
            sum(output * upstream).backward()
            return (output.data, model.parameters.map { $0.grad ?? [Float](repeating: 0, count: $0.count) })
        }
        let chosen = run { model.hiddenStates(batch, atRows: rows) }
        let all = run { selectRows(model.hiddenStates(batch), rows) }
        let outputDifference = zip(chosen.output, all.output).map { abs($0 - $1) }.max()!
        let gradientDifference = zip(chosen.gradients.joined(), all.gradients.joined()).map { abs($0 - $1) }.max()!
        #expect(outputDifference < 1e-5, "largest output difference \(outputDifference)")
        // parameter gradients are sums over every row (some above 10): 1e-4
        #expect(gradientDifference < 1e-4, "largest gradient difference \(gradientDifference)")
    }

    /// Log-probabilities computed at the response rows only equal the full computation there.
    @Test func responseLogProbabilitiesAtRowsMatchAllRows() {
        let model = GPT2Model(config: modelTestConfig(), seed: 10)
        let batch = TokenBatch(prompts: [[2, 3, 4], [2]], responses: [[5, 6], [7, 8, 9]], eos: 0, pad: 1, maxLength: 12)
        let mask = batch.responseMask
        let fast = withoutGradients { tokenLogProbabilities(model, batch, responsesOnly: true) }
        let full = withoutGradients { tokenLogProbabilities(model, batch) }
        var largest: Float = 0
        for i in mask.indices {
            largest = max(largest, mask[i] != 0 ? abs(fast.data[i] - full.data[i]) : abs(fast.data[i]))
        }
        #expect(largest < 1e-5, "largest difference \(largest)")
    }
}
