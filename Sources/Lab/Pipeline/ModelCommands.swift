import Foundation
import Numerics
import GPT2
import Stages

/// `:new`, `:load`, `:save`, `:copy`, `:models`: models by role.
extension Command {
    static let modelCommands: [Command] = [.newModel, .load, .save, .copy, .models]

    static func role(_ args: Arguments, _ index: Int, allowed: [Role] = Role.allCases) throws -> Role {
        let text = try args.string(index, name: "role")
        guard let role = Role(rawValue: text), allowed.contains(role) else {
            throw args.error("unknown role '\(text)'", hint: "roles: \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }

    static let newModel = Command(
        ":new", group: .session,
        arguments: "<role>",
        summary: "make a fresh, randomly initialised GPT-2 for the tiny world",
        help: """
            Makes a GPT-2 with random weights (GPT-2's initialisation, seeded by the session's \
            random numbers) over the tiny world's vocabulary. Its size comes from the settings \
            model.layers, model.width, model.heads and model.context. Such a model knows nothing: \
            `pretrain` teaches it the language.
            """,
        examples: [":new policy", ":new policy --model.layers 2"],
        completion: .words(["policy", "base"]),
        acceptsSettingOverrides: true
    ) { session, args in
        try args.expect(atMost: 1)
        let role = try Command.role(args, 0, allowed: [.policy, .base])
        let settings = session.settings
        let width = settings.int("model.width"), heads = settings.int("model.heads")
        guard width % heads == 0 else {
            throw args.error("model.width \(width) is not a multiple of model.heads \(heads)", hint: "e.g. :set model.width 64 with 4 heads")
        }
        let tokenizer = PipelineState.worldTokenizer
        let config = GPT2Config(vocabSize: tokenizer.vocabularySize, contextLength: settings.int("model.context"),
                                embeddingSize: width, layerCount: settings.int("model.layers"), headCount: heads,
                                bosTokenId: Int(tokenizer.eosTokenId), eosTokenId: Int(tokenizer.eosTokenId),
                                padTokenId: tokenizer.padTokenId.map(Int.init))
        try checkMemory(config, session: session, args)
        let seed = session.rng.next()
        let model = GPT2Model(config: config, seed: seed)
        let pipeline = session.pipeline
        pipeline.tokenizer = tokenizer
        pipeline.promptFormat = PromptFormat(template: "<q> {prompt} <a>")
        pipeline.setModel(model, role: role, origin: "new (random, seed \(seed))")
        return CommandResult(text: Format.wrapHanging("\(role.rawValue): new GPT-2, \(describe(config)), \(model.parameterCount) parameters", width: session.width),
                             fields: ["role": .string(role.rawValue), "parameters": .int(model.parameterCount)])
    }

    static let load = Command(
        ":load", group: .session,
        arguments: "<role> <name>|<path>",
        summary: "load a model in the Hugging Face layout into a role",
        help: """
            Loads config.json, model.safetensors and the tokenizer from a folder: a shipped model \
            by name (base, sft, reward: see :models) or any folder path, used as given: no shell \
            expansion, so `~` is not your home folder (a real gpt2 checkpoint folder works too). Roles: policy (trained and sampled), reference (the \
            frozen model the KL penalty compares with), reward (a reward model), base (the \
            pre-trained model, for contrast samples). To copy a model from one role to another, use \
            `:copy`. The path is used exactly as given: `~` is not expanded.
            """,
        examples: [":load policy base", ":load reward reward", ":load policy ../models/gpt2"],
        completion: .custom { session, index in
            index == 0 ? Role.allCases.map(\.rawValue) : LabPaths.shippedModelNames
        }
    ) { session, args in
        try args.expect(atMost: 2)
        let role = try Command.role(args, 0)
        let name = try args.string(1, name: "name|path")
        let pipeline = session.pipeline
        let directory: URL
        if !name.contains("/"), let shipped = LabPaths.models?.appendingPathComponent(name),
           FileManager.default.fileExists(atPath: shipped.appendingPathComponent("config.json").path) {
            directory = shipped
        } else {
            directory = URL(fileURLWithPath: name)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder) else {
            let shipped = LabPaths.shippedModelNames
            throw args.error("no model folder '\(name)'",
                             hint: (shipped.isEmpty ? "" : "shipped models: \(shipped.joined(separator: ", ")); or ") +
                                   "give a folder path, used as given (~ is not expanded)")
        }
        guard isFolder.boolValue else {
            throw args.error("'\(name)' is a file, not a model folder", hint: "give the folder that holds config.json and model.safetensors")
        }
        // config.json first: a model too large for this machine is refused before its weights are read
        let configURL = directory.appendingPathComponent(Checkpoint.configFile)
        if FileManager.default.fileExists(atPath: configURL.path) {
            try checkMemory(try GPT2Config.load(from: configURL), session: session, args)
        }
        let (config, tensors) = try Checkpoint.load(directory: directory)
        if role == .reward && !config.isRewardModel {
            throw args.error("\(name) is a language model, not a reward model", hint: "make a reward model from the policy with `reward init`")
        }
        if role != .reward && config.isRewardModel {
            throw args.error("\(name) is a reward model; it can only go in the reward role")
        }
        let model = try GPT2Model(config: config, tensors: tensors)
        let hasTokenizerFiles = ["tokenizer.json", "vocab.json"].contains {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        let tokenizer: any Tokenizer = hasTokenizerFiles ? try loadTokenizer(directory: directory) : pipeline.tokenizer
        guard tokenizer.vocabularySize == config.vocabSize else {
            throw args.error("the model has \(config.vocabSize) tokens but its tokenizer has \(tokenizer.vocabularySize)")
        }
        pipeline.tokenizer = tokenizer
        pipeline.promptFormat = PromptFormat(template: tokenizer.id(for: "<q>") != nil && tokenizer.id(for: "<a>") != nil
                                             ? "<q> {prompt} <a>" : "{prompt}")
        pipeline.setModel(model, role: role, origin: directory.path)
        return CommandResult(text: Format.wrapHanging("\(role.rawValue): \(name), \(describe(config)), \(model.parameterCount) parameters", width: session.width),
                             fields: ["role": .string(role.rawValue), "path": .string(directory.path),
                                      "parameters": .int(model.parameterCount)])
    }

    static let copy = Command(
        ":copy", group: .session,
        arguments: "<from-role> <to-role>",
        summary: "copy a model into another role (e.g. freeze the SFT model as the reference)",
        help: """
            Copies the weights of one role's model into another role. After SFT, \
            `:copy policy reference` freezes the SFT model as the reference that the KL penalty \
            and DPO compare with, and `:copy policy base` keeps a model for contrast samples.
            """,
        examples: [":copy policy reference"],
        completion: .roleNames
    ) { session, args in
        try args.expect(atMost: 2)
        let from = try Command.role(args, 0), to = try Command.role(args, 1)
        let model = try session.pipeline.model(from, for: ":copy")
        return try placeCopy(model, from: from, to: to, session: session, args: args)
    }

    static func placeCopy(_ model: GPT2Model, from: Role, to: Role, session: Session, args: Arguments) throws -> CommandResult {
        guard from != to else { throw args.error("\(from.rawValue) is already \(to.rawValue)") }
        if (to == .reward) != model.config.isRewardModel {
            throw args.error(to == .reward ? "the \(from.rawValue) model is not a reward model" : "a reward model can only go in the reward role",
                             hint: to == .reward ? "`reward init` makes a reward model from the policy" : nil)
        }
        session.pipeline.setModel(model.copy(), role: to, origin: "copy of \(from.rawValue)")
        return CommandResult(text: "\(to.rawValue): a copy of the \(from.rawValue) model",
                             fields: ["from": .string(from.rawValue), "to": .string(to.rawValue)])
    }

    static let save = Command(
        ":save", group: .session,
        arguments: "<role> <path>",
        summary: "save a model in the Hugging Face layout (opens in transformers)",
        help: """
            Writes config.json, model.safetensors and the tokenizer files into the folder <path> \
            (created if needed; the path is used as given: no shell expansion, so `~` is not your home \
            folder). Every file is written atomically: a \
            crash leaves the old file or the new one, never half of one. The folder opens in \
            Python with GPT2LMHeadModel.from_pretrained (or GPT2ForSequenceClassification).
            """,
        examples: [":save policy my-sft-model"],
        completion: .roleNames
    ) { session, args in
        try args.expect(atMost: 2)
        let role = try Command.role(args, 0)
        let path = try args.string(1, name: "path")
        let pipeline = session.pipeline
        let model = try pipeline.model(role, for: ":save")
        let directory = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            var isFolder: ObjCBool = false
            let reason = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
                ? "it is a file" : "permission denied or no such parent folder"
            throw args.error("cannot create the folder '\(path)': \(reason)", hint: "paths are used as given (~ is not expanded); choose a folder you can write to")
        }
        try Checkpoint.save(directory: directory, config: model.config, tensors: model.namedParameters, tokenizer: pipeline.tokenizer)
        return CommandResult(text: "saved \(role.rawValue) to \(path)",
                             fields: ["role": .string(role.rawValue), "path": .string(path)])
    }

    static let models = Command(
        ":models", group: .session,
        arguments: "",
        summary: "list the loaded models by role, and the shipped models",
        help: "Shows each role's model (layers, width d, heads, context, vocabulary, an LM or a scalar head, parameters, where it came from) and the models shipped in lessons/models.",
        examples: [":models"]
    ) { session, args in
        try args.expect(atMost: 0)
        let pipeline = session.pipeline
        var rows: [[String]] = []
        var fields: [String: JSONValue] = [:]
        for role in Role.allCases {
            guard let model = pipeline.models[role] else { rows.append([role.rawValue] + Array(repeating: "-", count: 8)); continue }
            let c = model.config
            rows.append([role.rawValue, "\(c.layerCount)", "\(c.embeddingSize)", "\(c.headCount)", "\(c.contextLength)", "\(c.vocabSize)",
                         c.isRewardModel ? "scalar" : "LM", "\(model.parameterCount)", shownOrigin(pipeline.origins[role] ?? "")])
            fields[role.rawValue] = .object(["parameters": .int(model.parameterCount), "origin": .string(pipeline.origins[role] ?? "")])
        }
        let shipped = LabPaths.shippedModelNames
        // one column per size, so that a 100-column terminal has room for where each came from
        let table = TableDisplay(headers: ["role", "layers", "d", "heads", "context", "vocabulary", "head", "parameters", "from"],
                                 rows: rows, alignments: [.left] + Array(repeating: .right, count: 5) + [.left, .right, .left],
                                 maxWidth: session.width,
                                 footnote: "shipped: " + (shipped.isEmpty ? "(none found)" : shipped.joined(separator: ", ")))
        return CommandResult([.table(table)], fields: ["roles": .object(fields), "shipped": .array(shipped.map { .string($0) })],
                             style: session.renderStyle)
    }

    /// Where a model came from, as the student would type it: a folder inside the current one
    /// relative to it (`lessons/models/sft`, which the table has room for), anything else as it is.
    /// The JSON field keeps the whole path.
    static func shownOrigin(_ origin: String, currentFolder: String = FileManager.default.currentDirectoryPath) -> String {
        let folder = currentFolder.hasSuffix("/") ? currentFolder : currentFolder + "/"
        return origin.hasPrefix(folder) && origin.count > folder.count ? String(origin.dropFirst(folder.count)) : origin
    }

    /// "2 layers, d 64, 4 heads, context 64, vocabulary 584"
    static func describe(_ config: GPT2Config) -> String {
        "\(config.layerCount) layer\(config.layerCount == 1 ? "" : "s"), d \(config.embeddingSize), \(config.headCount) heads, " +
        "context \(config.contextLength), vocabulary \(config.vocabSize)\(config.isRewardModel ? ", scalar head" : "")"
    }

    /// Bytes a model needs to train and sample with the session's batch sizes (float32):
    ///   weights, gradients, AdamW's two moments       16 * parameters
    ///   activations kept for backward                  4 * 16 * batch * T * C * L   (~16 floats per channel per layer)
    ///   logits and their gradient                      4 * 2 * batch * T * V
    ///   the KV cache while sampling                    4 * 2 * samples * T * C * L  (keys and values)
    /// where batch is the largest training batch setting and samples the largest sampling batch.
    static func estimatedBytes(_ config: GPT2Config, settings: Settings) -> (total: Double, activations: Double, cache: Double) {
        let batch = Double(["pretrain.batch", "sft.batch", "reward.batch", "pg.batch", "ppo.batch", "dpo.batch"]
            .map { settings.int($0) }.max() ?? 1)
        let samples = Double(max(settings.int("samples"), settings.int("pg.batch") * settings.int("pg.samples"), settings.int("ppo.batch")))
        let (t, c, l, v) = (Double(config.contextLength), Double(config.embeddingSize), Double(config.layerCount), Double(config.vocabSize))
        let activations = 4 * (16 * batch * t * c * l + 2 * batch * t * v)
        let cache = 4 * 2 * samples * t * c * l
        return (Double(config.estimatedTrainingBytes) + activations + cache, activations, cache)
    }

    /// Refuses a model that would not fit in memory, with the estimate and what it is made of.
    static func checkMemory(_ config: GPT2Config, session: Session, _ args: Arguments) throws {
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        let (needed, activations, cache) = estimatedBytes(config, settings: session.settings)
        if needed > available * 0.8 {
            let gib = 1073741824.0
            throw args.error(String(format: "this model needs about %.1f GiB (%.1f GiB for %d parameters x 16 bytes, %.1f GiB of activations, %.1f GiB of KV cache) but the machine has %.1f GiB",
                                    needed / gib, Double(config.estimatedTrainingBytes) / gib, config.parameterCount,
                                    activations / gib, cache / gib, available / gib),
                             hint: "choose fewer layers, a smaller width or context, or smaller batch settings")
        }
    }
}
