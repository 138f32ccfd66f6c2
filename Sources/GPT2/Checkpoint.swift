import Foundation
import Numerics

/// A model folder in Hugging Face layout, loadable by `transformers` and by us:
///
///     my-model/
///       config.json          GPT2Config (see GPT2Config.swift)
///       model.safetensors    the weights, F32 (see Safetensors.swift)
///       tokenizer.json       or vocab.json + merges.txt (see Tokenizer.swift)
///
/// Tensor names are canonical: `transformer.h.0.attn.c_attn.weight`. The original OpenAI gpt2
/// checkpoint leaves out the `transformer.` prefix; we add it. `lm_head.weight` is dropped (the
/// output layer reuses the token embedding wte), and so are the attention-mask buffers
/// `*.attn.bias` / `*.attn.masked_bias` that old checkpoints stored.
public enum Checkpoint {
    public static let configFile = "config.json"
    public static let weightsFile = "model.safetensors"

    /// Every tensor a model with `config` has, with its shape, in the order the model uses them.
    /// C = n_embd, V = vocab_size, T = n_positions; weights of linear layers are [in, out] (Conv1D).
    public static func expectedTensorShapes(config: GPT2Config) -> [(String, [Int])] {
        let c = config.embeddingSize
        var shapes: [(String, [Int])] = [
            ("transformer.wte.weight", [config.vocabSize, c]),     // token embedding, also the output layer
            ("transformer.wpe.weight", [config.contextLength, c]), // position embedding
        ]
        for layer in 0..<config.layerCount {
            let prefix = "transformer.h.\(layer)."
            shapes += [
                (prefix + "ln_1.weight", [c]), (prefix + "ln_1.bias", [c]),
                (prefix + "attn.c_attn.weight", [c, 3 * c]), (prefix + "attn.c_attn.bias", [3 * c]),  // q, k, v
                (prefix + "attn.c_proj.weight", [c, c]), (prefix + "attn.c_proj.bias", [c]),
                (prefix + "ln_2.weight", [c]), (prefix + "ln_2.bias", [c]),
                (prefix + "mlp.c_fc.weight", [c, 4 * c]), (prefix + "mlp.c_fc.bias", [4 * c]),
                (prefix + "mlp.c_proj.weight", [4 * c, c]), (prefix + "mlp.c_proj.bias", [c]),
            ]
        }
        shapes += [("transformer.ln_f.weight", [c]), ("transformer.ln_f.bias", [c])]
        if config.isRewardModel { shapes.append(("score.weight", [1, c])) }  // reward = score . h_last
        return shapes
    }

    /// The canonical name for a stored tensor name, or nil for tensors we drop on purpose.
    ///   h.0.attn.c_attn.weight  -> transformer.h.0.attn.c_attn.weight
    ///   lm_head.weight          -> nil (tied to transformer.wte.weight)
    ///   h.0.attn.bias           -> nil (the causal-mask buffer, not a weight)
    public static func canonicalName(_ name: String) -> String? {
        if name == "lm_head.weight" || name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") {
            return nil
        }
        let unprefixed = ["wte.", "wpe.", "ln_f.", "h."]
        if unprefixed.contains(where: { name.hasPrefix($0) }) { return "transformer." + name }
        return name
    }

    /// Reads config.json and model.safetensors from `directory` and checks every tensor against the config.
    public static func load(directory: URL) throws -> (config: GPT2Config, tensors: [String: Tensor]) {
        let configURL = directory.appendingPathComponent(configFile)
        let weightsURL = directory.appendingPathComponent(weightsFile)
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw CheckpointError(file: configURL.path, problem: "is missing: a model folder needs config.json and model.safetensors")
        }
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw CheckpointError(file: weightsURL.path, problem: "is missing: a model folder needs config.json and model.safetensors")
        }
        let config = try GPT2Config.load(from: configURL)
        let stored = try Safetensors.read(from: weightsURL)
        let tensors = try normalize(stored, config: config, file: weightsURL.path)
        return (config, tensors)
    }

    /// Renames stored tensors to canonical names, drops tied/buffer tensors, and checks that exactly
    /// the expected tensors are present with the expected shapes.
    public static func normalize(_ stored: [String: Tensor], config: GPT2Config,
                                 file: String = weightsFile) throws -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for name in stored.keys.sorted() {
            guard let canonical = canonicalName(name) else { continue }
            guard tensors[canonical] == nil else {
                throw CheckpointError(file: file, problem: "holds both \(quoted(name)) and \(quoted(canonical)), which are the same tensor")
            }
            let tensor = stored[name]!
            tensor.name = canonical
            tensors[canonical] = tensor
        }
        try check(tensors, config: config, file: file)
        return tensors
    }

    /// Throws unless `tensors` has exactly the expected names, each with the expected shape.
    public static func check(_ tensors: [String: Tensor], config: GPT2Config, file: String = weightsFile) throws {
        let expected = expectedTensorShapes(config: config)
        for (name, shape) in expected {
            guard let tensor = tensors[name] else {
                throw CheckpointError(file: file, problem: "has no tensor \(quoted(name)) (expected shape \(shape) for this config.json)")
            }
            guard tensor.shape == shape else {
                throw CheckpointError(file: file, problem: "has tensor \(quoted(name)) with shape \(tensor.shape), expected \(shape) for this config.json")
            }
        }
        let expectedNames = Set(expected.map(\.0))
        if let extra = tensors.keys.sorted().first(where: { !expectedNames.contains($0) }) {
            let hint = extra == "score.weight" ? " (a reward-model head, but config.json says GPT2LMHeadModel)" : ""
            throw CheckpointError(file: file, problem: "has unexpected tensor \(quoted(extra))\(hint)")
        }
    }

    /// Writes a model folder: model.safetensors, the tokenizer's files, then config.json, each atomically.
    /// Creates the folder if needed. Checks the tensors against the config first, so a folder we write
    /// always loads.
    public static func save(directory: URL, config: GPT2Config, tensors: [String: Tensor],
                            tokenizer: (any Tokenizer)? = nil) throws {
        try config.validate(file: directory.appendingPathComponent(configFile).path)
        try check(tensors, config: config, file: directory.appendingPathComponent(weightsFile).path)
        try Safetensors.write(tensors, to: directory.appendingPathComponent(weightsFile))
        if let tokenizer {
            for (name, data) in try tokenizer.files().sorted(by: { $0.key < $1.key }) {
                try AtomicFile.write(data, to: directory.appendingPathComponent(name))
            }
        }
        try config.save(to: directory.appendingPathComponent(configFile))
    }

    static func quoted(_ name: String) -> String { Safetensors.quoted(name) }
}

/// A model folder that does not fit its config, one line naming the file and the tensor.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let problem: String
    public var description: String { "\(file) \(problem)" }
}
