import GPT2

/// A model size the benchmark measures: GPT-2 (float32, GELU tanh, MLP 4d) at one shape.
public struct BenchmarkConfig: Sendable, Equatable {
    public let name: String
    /// V: tokens in the vocabulary.
    public let vocabSize: Int
    /// n_ctx: the longest row, and the length of every training row.
    public let contextLength: Int
    /// d: channels of the residual stream.
    public let embeddingSize: Int
    public let layerCount: Int
    public let headCount: Int
    /// Rows per training step.
    public let batchSize: Int

    /// The GPT-2 configuration of this size (a language model, EOS id 0).
    public var gpt2Config: GPT2Config {
        GPT2Config(vocabSize: vocabSize, contextLength: contextLength, embeddingSize: embeddingSize,
                   layerCount: layerCount, headCount: headCount, bosTokenId: 0, eosTokenId: 0)
    }

    /// Floating-point operations of a training step, per token: 6 N + 12 L T d, with
    /// N = 12 L d^2 + V d the weights that take part in the products (the blocks' four matrices,
    /// 12 d^2 each layer, and the tied LM head), 6 = 2 flops per multiply-add x 3 (the forward
    /// product and the backward's two), and 12 L T d for attention's scores and weighted sums
    /// over T positions. The estimate of the PaLM paper's appendix B, as nanoGPT's `estimate_mfu`
    /// uses it; biases, LayerNorm, GELU, softmax and AdamW are left out. Small: 6.3 MFLOP.
    public var trainingFlopsPerToken: Double {
        let (layers, d, vocabulary, time) = (Double(layerCount), Double(embeddingSize), Double(vocabSize), Double(contextLength))
        let weights = 12 * layers * d * d + vocabulary * d
        return 6 * weights + 12 * layers * time * d
    }

    // name      V     n_ctx  d    layers heads batch
    public static let tiny = BenchmarkConfig(name: "tiny", vocabSize: 256, contextLength: 64,
                                             embeddingSize: 64, layerCount: 2, headCount: 4, batchSize: 16)
    public static let small = BenchmarkConfig(name: "small", vocabSize: 1024, contextLength: 128,
                                              embeddingSize: 128, layerCount: 4, headCount: 4, batchSize: 16)
    public static let medium = BenchmarkConfig(name: "medium", vocabSize: 4096, contextLength: 256,
                                               embeddingSize: 256, layerCount: 6, headCount: 8, batchSize: 8)

    public static let all = [tiny, small, medium]

    /// The configurations a name stands for: "tiny", "small", "medium" or "all".
    public static func named(_ name: String) throws -> [BenchmarkConfig] {
        if name == "all" { return all }
        if let config = all.first(where: { $0.name == name }) { return [config] }
        throw BenchmarkError("unknown benchmark config '\(name)'; choose tiny, small, medium or all")
    }
}

/// A benchmark request that cannot run, with what was wrong and what is allowed.
public struct BenchmarkError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// PyTorch's figures for the same measurements on the build machine with 2 threads
/// (torch 2.15, float32), so that the table can show roughly how far we are from them: the
/// faster of transformers' GPT-2 and a compact hand-written module for each figure, medians of
/// 5 rounds (3 for medium) of `tools/compare_pytorch.py` on 2026-11-30. The machine is shared
/// and PyTorch's figures moved by up to 40% between rounds (tiny training 61k to 87k tokens/s):
/// for a real comparison run that script, which takes turns with `rlhf bench`.
public let pytorchReference: [String: [String: Double]] = [
    "tiny": ["train_tokens_per_s": 84_300, "sample_tokens_per_s_b1": 3_520,
             "sample_tokens_per_s_b8": 14_800, "rm_pairs_per_s": 1_190],
    "small": ["train_tokens_per_s": 16_800, "sample_tokens_per_s_b1": 1_440,
              "sample_tokens_per_s_b8": 5_630, "rm_pairs_per_s": 155],
    "medium": ["train_tokens_per_s": 3_420, "sample_tokens_per_s_b1": 268,
               "sample_tokens_per_s_b8": 1_060, "rm_pairs_per_s": 16.3],
]
