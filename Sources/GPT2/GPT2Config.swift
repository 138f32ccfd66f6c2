// TEMPORARY stand-in until the gpt2files branch lands the real GPT2Config (config.json I/O).
public struct GPT2Config: Equatable, Sendable {
    public var vocabSize: Int
    public var contextLength: Int
    public var embeddingSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var layerNormEpsilon: Float = 1e-5
    public var bosTokenId: Int = 0
    public var eosTokenId: Int = 0
    public var padTokenId: Int? = nil
    public var architectures: [String] = ["GPT2LMHeadModel"]
    public var isRewardModel: Bool { architectures.contains("GPT2ForSequenceClassification") }
    public init(vocabSize: Int, contextLength: Int, embeddingSize: Int, layerCount: Int, headCount: Int) {
        self.vocabSize = vocabSize; self.contextLength = contextLength; self.embeddingSize = embeddingSize
        self.layerCount = layerCount; self.headCount = headCount
    }
}
