import Foundation
import Testing
import Numerics
import GPT2

@Suite struct CheckpointTests {
    @Test func loadsFixtureLanguageModel() throws {
        let (config, tensors) = try Checkpoint.load(directory: fixtureURL("tiny-lm"))
        #expect(config == tinyConfig())
        #expect(tensors.count == 28)
        for (name, shape) in Checkpoint.expectedTensorShapes(config: config) {
            #expect(tensors[name]?.shape == shape, "\(name)")
            #expect(tensors[name]?.name == name)
        }
    }

    @Test func loadsFixtureRewardModel() throws {
        let (config, tensors) = try Checkpoint.load(directory: fixtureURL("tiny-reward"))
        #expect(config.isRewardModel)
        #expect(tensors.count == 29)
        #expect(tensors["score.weight"]?.shape == [1, 32])
    }

    @Test func expectedNamesInCanonicalOrder() {
        let names = Checkpoint.expectedTensorShapes(config: tinyConfig(reward: true)).map(\.0)
        #expect(names.count == 2 + 2 * 12 + 2 + 1)
        #expect(names.prefix(4) == ["transformer.wte.weight", "transformer.wpe.weight",
                                    "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias"])
        #expect(names.suffix(3) == ["transformer.ln_f.weight", "transformer.ln_f.bias", "score.weight"])
    }

    @Test func saveThenLoadRoundTrip() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let config = tinyConfig(reward: true)
        let tensors = randomTensors(config, seed: 5)
        let tokenizer = try WordTokenizer(words: ["tea", "hot"])
        let directory = folder.appendingPathComponent("new/model")
        try Checkpoint.save(directory: directory, config: config, tensors: tensors, tokenizer: tokenizer)
        let (loadedConfig, loaded) = try Checkpoint.load(directory: directory)
        #expect(loadedConfig == config)
        for (name, tensor) in tensors { #expect(loaded[name]?.data == tensor.data, "\(name)") }
        let loadedTokenizer = try loadTokenizer(directory: directory)
        #expect(loadedTokenizer.encode("hot tea") == tokenizer.encode("hot tea"))
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(files == ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"])
    }

    /// The original OpenAI checkpoint names (no `transformer.` prefix, mask buffers, lm_head) normalise.
    @Test func normalisesOriginalGPT2Names() throws {
        let config = tinyConfig()
        var stored: [String: Tensor] = [:]
        for (name, tensor) in randomTensors(config) {
            stored[String(name.dropFirst("transformer.".count))] = tensor
        }
        stored["h.0.attn.bias"] = Tensor(shape: [1, 1, 16, 16], data: [Float](repeating: 1, count: 256))
        stored["h.1.attn.masked_bias"] = Tensor(shape: [1], data: [-1e4])
        stored["lm_head.weight"] = Tensor(shape: [50, 32], data: [Float](repeating: 0, count: 1600))
        let tensors = try Checkpoint.normalize(stored, config: config)
        #expect(Set(tensors.keys) == Set(Checkpoint.expectedTensorShapes(config: config).map(\.0)))
        #expect(tensors["transformer.h.1.mlp.c_proj.weight"]?.name == "transformer.h.1.mlp.c_proj.weight")
    }

    @Test func reportsMissingMisshapedDuplicateAndExtraTensors() {
        let config = tinyConfig()
        var missing = randomTensors(config)
        missing["transformer.h.1.ln_2.bias"] = nil
        var misshaped = randomTensors(config)
        misshaped["transformer.h.0.attn.c_attn.weight"] = Tensor.zeros([96, 32])
        var duplicate = randomTensors(config)
        duplicate["wte.weight"] = Tensor.zeros([50, 32])
        var extra = randomTensors(config)
        extra["score.weight"] = Tensor.zeros([1, 32])
        let cases: [([String: Tensor], String)] = [
            (missing, "has no tensor \"transformer.h.1.ln_2.bias\" (expected shape [32]"),
            (misshaped, "\"transformer.h.0.attn.c_attn.weight\" with shape [96, 32], expected [32, 96]"),
            (duplicate, "holds both \"wte.weight\" and \"transformer.wte.weight\""),
            (extra, "unexpected tensor \"score.weight\" (a reward-model head"),
        ]
        for (tensors, phrase) in cases {
            let error = thrownError { _ = try Checkpoint.normalize(tensors, config: config, file: "m.safetensors") }
            let message = String(describing: error.map { "\($0)" } ?? "accepted")
            #expect(message.hasPrefix("m.safetensors "), "\(message)")
            #expect(message.contains(phrase), "\(message)")
        }
    }

    @Test func reportsMissingFiles() {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let error = thrownError { _ = try Checkpoint.load(directory: folder) }
        #expect("\(error!)".contains("config.json is missing"))
    }

    @Test func saveRefusesTensorsThatDoNotFitTheConfig() {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        var tensors = randomTensors(tinyConfig())
        tensors["transformer.wpe.weight"] = Tensor.zeros([8, 32])
        let error = thrownError { try Checkpoint.save(directory: folder, config: tinyConfig(), tensors: tensors) }
        #expect(error is CheckpointError)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path))
    }

    @Test func atomicFileReplacesContents() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let url = folder.appendingPathComponent("a/b/c.txt")
        try AtomicFile.write(Data("one".utf8), to: url)
        try AtomicFile.write(Data("two".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        try AtomicFile.write(Data(), to: url)
        #expect(try Data(contentsOf: url).isEmpty)
    }
}
