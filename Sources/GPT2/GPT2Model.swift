import Foundation
import Numerics

/// GPT-2, exactly as Radford et al. 2019 and Hugging Face's `GPT2LMHeadModel` define it.
///
///   x = wte[token] + wpe[position]                              [B*T, C]
///   for each block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
///     attn(h) = c_proj(causal multi-head attention of c_attn(h))
///     mlp(h)  = c_proj(gelu(c_fc(h)))
///   h = ln_f(x)
///   logits = h wte^T                                             [B*T, V]  (LM head tied to wte)
///   reward = h[last real token] score^T                          [B]       (reward model head)
///
/// Linear weights are stored [in, out] (Hugging Face's Conv1D layout). Tensor names are the
/// ones transformers writes (`transformer.h.0.attn.c_attn.weight`, ..., `score.weight`).
public final class GPT2Model {
    public let config: GPT2Config
    /// wte [V, C]: token embedding, also the output layer (tied).
    public let tokenEmbedding: Tensor
    /// wpe [n_ctx, C]: learned position embedding.
    public let positionEmbedding: Tensor
    public let blocks: [TransformerBlock]
    /// ln_f: the final LayerNorm.
    public let finalNorm: LayerNormWeights
    /// score [1, C]: the scalar head of a reward (or value) model; nil for a language model.
    public private(set) var scoreHead: Tensor?

    public struct LayerNormWeights {
        public let weight: Tensor   // [C]
        public let bias: Tensor     // [C]
    }

    public struct TransformerBlock {
        public let norm1: LayerNormWeights
        public let attentionWeight: Tensor       // c_attn.weight [C, 3C]
        public let attentionBias: Tensor         // c_attn.bias [3C]
        public let attentionProjWeight: Tensor   // attn.c_proj.weight [C, C]
        public let attentionProjBias: Tensor     // attn.c_proj.bias [C]
        public let norm2: LayerNormWeights
        public let mlpWeight: Tensor             // mlp.c_fc.weight [C, 4C]
        public let mlpBias: Tensor               // mlp.c_fc.bias [4C]
        public let mlpProjWeight: Tensor         // mlp.c_proj.weight [4C, C]
        public let mlpProjBias: Tensor           // mlp.c_proj.bias [C]
    }

    /// A model built from named tensors (as read from model.safetensors).
    public init(config: GPT2Config, tensors: [String: Tensor]) throws {
        self.config = config
        let c = config.embeddingSize
        func take(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let tensor = tensors[name] else { throw GPT2ModelError.missingTensor(name) }
            guard tensor.shape == shape else {
                throw GPT2ModelError.wrongShape(name, expected: shape, found: tensor.shape)
            }
            let parameter = Tensor(shape: shape, data: tensor.data, requiresGrad: true, name: name)
            return parameter
        }
        func norm(_ prefix: String) throws -> LayerNormWeights {
            LayerNormWeights(weight: try take(prefix + ".weight", [c]), bias: try take(prefix + ".bias", [c]))
        }
        tokenEmbedding = try take("transformer.wte.weight", [config.vocabSize, c])
        positionEmbedding = try take("transformer.wpe.weight", [config.contextLength, c])
        blocks = try (0..<config.layerCount).map { layer in
            let p = "transformer.h.\(layer)."
            return TransformerBlock(
                norm1: try norm(p + "ln_1"),
                attentionWeight: try take(p + "attn.c_attn.weight", [c, 3 * c]),
                attentionBias: try take(p + "attn.c_attn.bias", [3 * c]),
                attentionProjWeight: try take(p + "attn.c_proj.weight", [c, c]),
                attentionProjBias: try take(p + "attn.c_proj.bias", [c]),
                norm2: try norm(p + "ln_2"),
                mlpWeight: try take(p + "mlp.c_fc.weight", [c, 4 * c]),
                mlpBias: try take(p + "mlp.c_fc.bias", [4 * c]),
                mlpProjWeight: try take(p + "mlp.c_proj.weight", [4 * c, c]),
                mlpProjBias: try take(p + "mlp.c_proj.bias", [c]))
        }
        finalNorm = try norm("transformer.ln_f")
        scoreHead = config.isRewardModel ? try take("score.weight", [1, c]) : nil
    }

    /// A freshly initialised model, as GPT-2 initialises: weights N(0, 0.02), residual output
    /// projections N(0, 0.02 / sqrt(2 n_layer)), biases 0, LayerNorm weights 1.
    public convenience init(config: GPT2Config, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        var tensors: [String: Tensor] = [:]
        let residualStd = 0.02 / Float(2 * config.layerCount).squareRoot()
        for (name, shape) in gpt2ParameterShapes(config) {
            if name.hasSuffix("ln_1.weight") || name.hasSuffix("ln_2.weight") || name.hasSuffix("ln_f.weight") {
                tensors[name] = Tensor(shape: shape, data: [Float](repeating: 1, count: shape.reduce(1, *)))
            } else if name.hasSuffix(".bias") {
                tensors[name] = Tensor.zeros(shape)
            } else {
                let std: Float = name.hasSuffix("c_proj.weight") ? residualStd : 0.02
                tensors[name] = Tensor.randomNormal(shape, std: std, rng: &rng)
            }
        }
        try! self.init(config: config, tensors: tensors)  // shapes come from the config itself
    }

    /// Every parameter in canonical order (the order of `gpt2ParameterShapes`).
    public var parameters: [Tensor] {
        var list = [tokenEmbedding, positionEmbedding]
        for block in blocks {
            list += [block.norm1.weight, block.norm1.bias, block.attentionWeight, block.attentionBias,
                     block.attentionProjWeight, block.attentionProjBias, block.norm2.weight, block.norm2.bias,
                     block.mlpWeight, block.mlpBias, block.mlpProjWeight, block.mlpProjBias]
        }
        list += [finalNorm.weight, finalNorm.bias]
        if let scoreHead { list.append(scoreHead) }
        return list
    }

    /// Parameters by name, as saved to model.safetensors.
    public var namedParameters: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// A deep copy: same numbers, separate storage, no gradients.
    public func copy() -> GPT2Model {
        let tensors = namedParameters.mapValues { $0.detached() }
        return try! GPT2Model(config: config, tensors: tensors)  // same names and shapes as self
    }

    /// A reward model made from this model: the same body (copied), the LM head left out, and a
    /// new scalar head score [1, C] drawn from N(0, std^2) with the given seed.
    /// (GPT-2 ties its LM head to the token embedding, so the body keeps wte for the input.)
    public func rewardModel(seed: UInt64, headStd: Float = 0.02) -> GPT2Model {
        var rewardConfig = config
        rewardConfig.architectures = ["GPT2ForSequenceClassification"]
        var tensors = namedParameters.filter { $0.key != "score.weight" }.mapValues { $0.detached() }
        var rng = RandomGenerator(seed: seed)
        tensors["score.weight"] = Tensor.randomNormal([1, config.embeddingSize], std: headStd, rng: &rng)
        return try! GPT2Model(config: rewardConfig, tensors: tensors)
    }

    /// The final hidden states h = ln_f(x) for a batch of token rows, [B*T, C].
    public func hiddenStates(_ batch: TokenBatch) -> Tensor {
        var x = inputEmbeddings(batch)
        for block in blocks { x = transformerBlock(block, x, batch) }
        return layerNorm(x, weight: finalNorm.weight, bias: finalNorm.bias, epsilon: config.layerNormEpsilon)
    }

    /// The final hidden states at chosen flat rows r = b*T + t only, [N, C]: the numbers of
    /// selectRows(hiddenStates(batch), rows) (up to rounding), for less work. Every block but the
    /// last runs over all rows (the chosen rows attend to every earlier row's keys and values);
    /// the last block computes its keys and values for all rows, then attention, projection,
    /// MLP and ln_f for the chosen rows only.
    public func hiddenStates(_ batch: TokenBatch, atRows rows: [Int]) -> Tensor {
        var x = inputEmbeddings(batch)
        for block in blocks.dropLast() { x = transformerBlock(block, x, batch) }
        guard let last = blocks.last else {
            return layerNorm(selectRows(x, rows), weight: finalNorm.weight, bias: finalNorm.bias, epsilon: config.layerNormEpsilon)
        }
        let h = layerNorm(x, weight: last.norm1.weight, bias: last.norm1.bias, epsilon: config.layerNormEpsilon)
        let qkv = linear(h, last.attentionWeight, last.attentionBias)   // every row's keys and values
        let attended = causalSelfAttention(qkv, batch: batch.rows, time: batch.time, heads: config.headCount, atRows: rows)
        let y = selectRows(x, rows) + linear(attended, last.attentionProjWeight, last.attentionProjBias)
        let chosen = y + multilayerPerceptron(last, y)
        return layerNorm(chosen, weight: finalNorm.weight, bias: finalNorm.bias, epsilon: config.layerNormEpsilon)
    }

    /// x = wte[token] + wpe[position], [B*T, C].
    func inputEmbeddings(_ batch: TokenBatch) -> Tensor {
        let (b, t) = (batch.rows, batch.time)
        precondition(t <= config.contextLength, "GPT2: \(t) tokens exceed the context of \(config.contextLength)")
        var positions = [Int32](repeating: 0, count: b * t)
        for row in 0..<b { for p in 0..<t { positions[row * t + p] = Int32(p) } }
        return embedding(batch.tokens, tokenEmbedding) + embedding(positions, positionEmbedding)
    }

    /// One block over every row: x = x + attn(ln_1(x));  x = x + mlp(ln_2(x)).
    func transformerBlock(_ block: TransformerBlock, _ x: Tensor, _ batch: TokenBatch) -> Tensor {
        let h = layerNorm(x, weight: block.norm1.weight, bias: block.norm1.bias, epsilon: config.layerNormEpsilon)
        let qkv = linear(h, block.attentionWeight, block.attentionBias)
        let attended = causalSelfAttention(qkv, batch: batch.rows, time: batch.time, heads: config.headCount)
        let y = x + linear(attended, block.attentionProjWeight, block.attentionProjBias)
        return y + multilayerPerceptron(block, y)
    }

    /// mlp(ln_2(x)) = c_proj(gelu(c_fc(ln_2(x)))).
    func multilayerPerceptron(_ block: TransformerBlock, _ x: Tensor) -> Tensor {
        let h = layerNorm(x, weight: block.norm2.weight, bias: block.norm2.bias, epsilon: config.layerNormEpsilon)
        return linear(gelu(linear(h, block.mlpWeight, block.mlpBias)), block.mlpProjWeight, block.mlpProjBias)
    }

    /// Next-token logits for every position, [B*T, V]: logits at position t score token t+1.
    public func logits(_ batch: TokenBatch) -> Tensor {
        logits(fromHidden: hiddenStates(batch))
    }

    /// The LM head: logits = h wte^T (tied to the token embedding).
    public func logits(fromHidden hidden: Tensor) -> Tensor {
        matmul(hidden, tokenEmbedding, transposeB: true)
    }

    /// The reward of each row, [B]: the score head read at the row's last real token (for our
    /// joined sequences, the EOS after the response), like GPT2ForSequenceClassification.
    public func rewards(_ batch: TokenBatch) -> Tensor {
        guard let scoreHead else { preconditionFailure("rewards: this model has no score head") }
        let lastRows = (0..<batch.rows).map { $0 * batch.time + batch.lengths[$0] - 1 }
        let last = hiddenStates(batch, atRows: lastRows)
        return reshape(matmul(last, scoreHead, transposeB: true), [batch.rows])
    }
}

public enum GPT2ModelError: Error, CustomStringConvertible {
    case missingTensor(String)
    case wrongShape(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missingTensor(let name): return "model has no tensor '\(name)'"
        case .wrongShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected) from config.json"
        }
    }
}

/// Every GPT-2 parameter's name and shape, in canonical order; reward models add score.weight.
public func gpt2ParameterShapes(_ config: GPT2Config) -> [(String, [Int])] {
    let c = config.embeddingSize
    var shapes: [(String, [Int])] = [("transformer.wte.weight", [config.vocabSize, c]),
                                     ("transformer.wpe.weight", [config.contextLength, c])]
    for layer in 0..<config.layerCount {
        let p = "transformer.h.\(layer)."
        shapes += [(p + "ln_1.weight", [c]), (p + "ln_1.bias", [c]),
                   (p + "attn.c_attn.weight", [c, 3 * c]), (p + "attn.c_attn.bias", [3 * c]),
                   (p + "attn.c_proj.weight", [c, c]), (p + "attn.c_proj.bias", [c]),
                   (p + "ln_2.weight", [c]), (p + "ln_2.bias", [c]),
                   (p + "mlp.c_fc.weight", [c, 4 * c]), (p + "mlp.c_fc.bias", [4 * c]),
                   (p + "mlp.c_proj.weight", [4 * c, c]), (p + "mlp.c_proj.bias", [c])]
    }
    shapes += [("transformer.ln_f.weight", [c]), ("transformer.ln_f.bias", [c])]
    if config.isRewardModel { shapes.append(("score.weight", [1, c])) }
    return shapes
}
