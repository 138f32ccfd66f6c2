import Foundation

/// The shape of a GPT-2 model: how many tokens, positions, channels, layers and heads.
///
/// Read from and written to `config.json` with the field names of Hugging Face's `GPT2Config`,
/// so that `transformers.AutoModel.from_pretrained(folder)` loads our checkpoints and we load theirs:
///
///     {"model_type": "gpt2", "vocab_size": 64, "n_positions": 32, "n_embd": 32,
///      "n_layer": 2, "n_head": 4, "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new",
///      "bos_token_id": 0, "eos_token_id": 0, "pad_token_id": null,
///      "architectures": ["GPT2LMHeadModel"]}
///
/// A reward model is the same network with a `score` head instead of the language-model head:
/// `architectures: ["GPT2ForSequenceClassification"]` and one label (`id2label: {"0": "LABEL_0"}`).
public struct GPT2Config: Codable, Equatable, Sendable {
    /// V: how many different tokens the model knows.
    public var vocabSize: Int
    /// T_max: the longest sequence the model can read (`n_positions`).
    public var contextLength: Int
    /// C: channels per token (`n_embd`).
    public var embeddingSize: Int
    /// L: transformer blocks (`n_layer`).
    public var layerCount: Int
    /// H: attention heads per block (`n_head`); each head has C / H channels.
    public var headCount: Int
    /// The epsilon in layer norm: y = (x - mean) / sqrt(var + epsilon) * weight + bias.
    public var layerNormEpsilon: Float
    /// "gelu_new": the tanh approximation of GELU that GPT-2 uses.
    public var activationFunction: String
    public var bosTokenId: Int
    public var eosTokenId: Int
    public var padTokenId: Int?
    /// "GPT2LMHeadModel" for a language model, "GPT2ForSequenceClassification" for a reward model.
    public var architectures: [String]

    public init(vocabSize: Int, contextLength: Int, embeddingSize: Int, layerCount: Int, headCount: Int,
                layerNormEpsilon: Float = 1e-5, activationFunction: String = "gelu_new",
                bosTokenId: Int, eosTokenId: Int, padTokenId: Int? = nil,
                architectures: [String] = ["GPT2LMHeadModel"]) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.embeddingSize = embeddingSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.layerNormEpsilon = layerNormEpsilon
        self.activationFunction = activationFunction
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
        self.architectures = architectures
    }

    public static let rewardArchitecture = "GPT2ForSequenceClassification"
    public static let languageModelArchitecture = "GPT2LMHeadModel"

    /// True for a reward model: a scalar `score` head instead of the language-model head.
    public var isRewardModel: Bool { architectures.contains(GPT2Config.rewardArchitecture) }

    /// Channels per attention head: C / H.
    public var headSize: Int { embeddingSize / headCount }

    /// Number of learned numbers:
    ///   wte V*C + wpe T_max*C + L * (12 C^2 + 13 C) + ln_f 2C (+ score C for a reward model).
    /// Per block: ln_1 2C, c_attn 3C^2+3C, attn c_proj C^2+C, ln_2 2C, c_fc 4C^2+4C, mlp c_proj 4C^2+C.
    public var parameterCount: Int {
        let c = embeddingSize
        let perLayer = 12 * c * c + 13 * c
        return vocabSize * c + contextLength * c + layerCount * perLayer + 2 * c + (isRewardModel ? c : 0)
    }

    /// Bytes of float32 weights: 4 * parameterCount.
    public var estimatedBytes: Int { 4 * parameterCount }

    /// Bytes to train with AdamW: weights, gradients and two moment buffers, 4 * estimatedBytes
    /// (activations not counted).
    public var estimatedTrainingBytes: Int { 4 * estimatedBytes }

    // MARK: Limits

    /// Upper bounds that keep a hostile or mistyped config.json from asking for terabytes.
    public static let maximumVocabSize = 1_000_000
    public static let maximumContextLength = 65_536
    public static let maximumLayerCount = 256
    public static let maximumEmbeddingSize = 16_384
    /// "gelu_pytorch_tanh" is the same tanh approximation under a newer name.
    public static let supportedActivations = ["gelu_new", "gelu_pytorch_tanh"]

    /// Checks every field; the first problem is thrown as a `GPT2ConfigError` naming the field.
    public func validate(file: String = "config.json") throws {
        func fail(_ field: String, _ problem: String) -> GPT2ConfigError {
            GPT2ConfigError(file: file, field: field, problem: problem)
        }
        func checkRange(_ value: Int, _ field: String, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else {
                throw fail(field, "is \(value), allowed \(range.lowerBound)...\(range.upperBound)")
            }
        }
        try checkRange(vocabSize, "vocab_size", 1...GPT2Config.maximumVocabSize)
        try checkRange(contextLength, "n_positions", 1...GPT2Config.maximumContextLength)
        try checkRange(embeddingSize, "n_embd", 1...GPT2Config.maximumEmbeddingSize)
        try checkRange(layerCount, "n_layer", 1...GPT2Config.maximumLayerCount)
        try checkRange(headCount, "n_head", 1...embeddingSize)
        guard embeddingSize % headCount == 0 else {
            throw fail("n_head", "is \(headCount), which does not divide n_embd = \(embeddingSize)")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon > 0, layerNormEpsilon < 1 else {
            throw fail("layer_norm_epsilon", "is \(layerNormEpsilon), allowed a number in (0, 1)")
        }
        guard GPT2Config.supportedActivations.contains(activationFunction) else {
            throw fail("activation_function", "is \"\(activationFunction)\", supported: \"gelu_new\" (or \"gelu_pytorch_tanh\")")
        }
        try checkRange(bosTokenId, "bos_token_id", 0...(vocabSize - 1))
        try checkRange(eosTokenId, "eos_token_id", 0...(vocabSize - 1))
        if let padTokenId { try checkRange(padTokenId, "pad_token_id", 0...(vocabSize - 1)) }
        let known = [GPT2Config.languageModelArchitecture, GPT2Config.rewardArchitecture]
        guard architectures.count == 1, known.contains(architectures[0]) else {
            throw fail("architectures", "is \(architectures), expected [\"GPT2LMHeadModel\"] or [\"GPT2ForSequenceClassification\"]")
        }
    }

    // MARK: Reading and writing config.json

    /// Reads and validates `config.json`.
    public static func load(from url: URL) throws -> GPT2Config {
        let data: Data
        do {
            data = try BoundedFile.read(url, limit: 1 << 20)
        } catch let error as BoundedFile.ReadError {
            throw GPT2ConfigError(file: url.path, field: "", problem: error.problem + (error.isTooLarge ? ": not a config.json" : ""))
        }
        return try decode(data, file: url.path)
    }

    /// Parses and validates the bytes of a config.json; errors name `file`.
    public static func decode(_ data: Data, file: String = "config.json") throws -> GPT2Config {
        guard data.count <= 1 << 20 else {
            throw GPT2ConfigError(file: file, field: "", problem: "is \(data.count) bytes, more than 1 MB: not a config.json")
        }
        let config: GPT2Config
        do {
            config = try JSONDecoder().decode(GPT2Config.self, from: data)
        } catch let error as GPT2ConfigError {
            throw GPT2ConfigError(file: file, field: error.field, problem: error.problem)
        } catch let error as DecodingError {
            throw GPT2ConfigError(decodingError: error, file: file)
        } catch {
            throw GPT2ConfigError(file: file, field: "", problem: "is not valid JSON")
        }
        try config.validate(file: file)
        return config
    }

    /// The bytes of config.json (pretty-printed, keys sorted).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Writes config.json atomically.
    public func save(to url: URL) throws {
        try validate(file: url.path)
        try AtomicFile.write(try encoded(), to: url)
    }

    // MARK: Codable with Hugging Face names

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", contextLength = "n_positions"
        case contextLengthAlias = "n_ctx", embeddingSize = "n_embd", layerCount = "n_layer"
        case headCount = "n_head", layerNormEpsilon = "layer_norm_epsilon"
        case activationFunction = "activation_function", bosTokenId = "bos_token_id"
        case eosTokenId = "eos_token_id", padTokenId = "pad_token_id", architectures
        case numberOfLabels = "num_labels", id2label, label2id
        case residualDropout = "resid_pdrop", embeddingDropout = "embd_pdrop", attentionDropout = "attn_pdrop"
        case innerSize = "n_inner", torchDType = "torch_dtype", tieWordEmbeddings = "tie_word_embeddings"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        /// The value of one field, or nil if absent; a wrong type throws an error naming the field.
        func optional<T: Decodable>(_ type: T.Type, _ key: CodingKeys) throws -> T? {
            do {
                return try container.decodeIfPresent(type, forKey: key)
            } catch {
                let kind = GPT2ConfigError.typeName(type)
                throw GPT2ConfigError(file: "config.json", field: key.stringValue, problem: "has the wrong type, expected \(kind)")
            }
        }
        func required<T: Decodable>(_ type: T.Type, _ key: CodingKeys) throws -> T {
            guard let value = try optional(type, key) else {
                throw GPT2ConfigError(file: "config.json", field: key.stringValue, problem: "is missing or null")
            }
            return value
        }
        if let modelType = try optional(String.self, .modelType), modelType != "gpt2" {
            throw GPT2ConfigError(file: "config.json", field: "model_type", problem: "is \"\(modelType)\", expected \"gpt2\"")
        }
        vocabSize = try required(Int.self, .vocabSize)
        guard let positions = try optional(Int.self, .contextLength) ?? optional(Int.self, .contextLengthAlias) else {
            throw GPT2ConfigError(file: "config.json", field: "n_positions", problem: "is missing (and so is n_ctx)")
        }
        contextLength = positions
        embeddingSize = try required(Int.self, .embeddingSize)
        layerCount = try required(Int.self, .layerCount)
        headCount = try required(Int.self, .headCount)
        layerNormEpsilon = try optional(Float.self, .layerNormEpsilon) ?? 1e-5
        activationFunction = try optional(String.self, .activationFunction) ?? "gelu_new"
        bosTokenId = try required(Int.self, .bosTokenId)
        eosTokenId = try required(Int.self, .eosTokenId)
        padTokenId = try optional(Int.self, .padTokenId)
        architectures = try optional([String].self, .architectures) ?? [GPT2Config.languageModelArchitecture]
        if architectures.contains(GPT2Config.rewardArchitecture) {
            // transformers writes id2label (one entry per label); older files may have num_labels.
            let labels = try optional([String: String].self, .id2label)
            let labelCount = try optional(Int.self, .numberOfLabels) ?? labels?.count ?? 1
            guard labelCount == 1 else {
                throw GPT2ConfigError(file: "config.json", field: labels != nil ? "id2label" : "num_labels",
                                      problem: "has \(labelCount) labels, a reward model has exactly 1")
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("gpt2", forKey: .modelType)
        try container.encode(vocabSize, forKey: .vocabSize)
        try container.encode(contextLength, forKey: .contextLength)
        try container.encode(contextLength, forKey: .contextLengthAlias)
        try container.encode(embeddingSize, forKey: .embeddingSize)
        try container.encode(layerCount, forKey: .layerCount)
        try container.encode(headCount, forKey: .headCount)
        try container.encode(Double(layerNormEpsilon.description) ?? 1e-5, forKey: .layerNormEpsilon)
        try container.encode(activationFunction, forKey: .activationFunction)
        try container.encode(bosTokenId, forKey: .bosTokenId)
        try container.encode(eosTokenId, forKey: .eosTokenId)
        if let padTokenId { try container.encode(padTokenId, forKey: .padTokenId) }
        else { try container.encodeNil(forKey: .padTokenId) }
        try container.encode(architectures, forKey: .architectures)
        if isRewardModel {
            try container.encode(["0": "LABEL_0"], forKey: .id2label)
            try container.encode(["LABEL_0": 0], forKey: .label2id)
        }
        // So that transformers builds the same network: no dropout, 4C inner size, tied embeddings.
        try container.encode(0.0, forKey: .residualDropout)
        try container.encode(0.0, forKey: .embeddingDropout)
        try container.encode(0.0, forKey: .attentionDropout)
        try container.encodeNil(forKey: .innerSize)
        try container.encode("float32", forKey: .torchDType)
        try container.encode(true, forKey: .tieWordEmbeddings)
    }
}

extension GPT2Config: CustomStringConvertible {
    /// `GPT2Config(language model: V 50, T 16, C 32, L 2, H 4, 109,056 parameters)`
    public var description: String {
        let kind = isRewardModel ? "reward model" : "language model"
        let parameters = parameterCount.formatted(.number.grouping(.automatic))
        return "GPT2Config(\(kind): V \(vocabSize), T \(contextLength), C \(embeddingSize), L \(layerCount), H \(headCount), \(parameters) parameters)"
    }
}

/// A problem in config.json, one line: `config.json: field 'n_head' is 5, which does not divide n_embd = 64`.
public struct GPT2ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let field: String
    public private(set) var problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    init(decodingError: DecodingError, file: String) {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        self.file = file
        switch decodingError {
        case .keyNotFound(let key, let context):
            field = (path(context).isEmpty ? "" : path(context) + ".") + key.stringValue
            problem = "is missing"
        case .typeMismatch(let type, let context):
            field = path(context)
            problem = "has the wrong type, expected \(GPT2ConfigError.typeName(type))"
        case .valueNotFound(let type, let context):
            field = path(context)
            problem = "is null, expected \(GPT2ConfigError.typeName(type))"
        case .dataCorrupted(let context):
            field = path(context)
            problem = field.isEmpty ? "is not a valid JSON object" : "is not a valid value"
        @unknown default:
            field = ""
            problem = "cannot be decoded"
        }
        if field.isEmpty { problem = "is not a valid JSON object" }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type: return "a list of strings"
        case is [String: String].Type: return "an object of strings"
        default: return "\(type)".replacingOccurrences(of: "Swift.", with: "")
        }
    }

    public var description: String {
        field.isEmpty ? "\(file) \(problem)" : "\(file): field '\(field)' \(problem)"
    }
}
