import Foundation
import Testing
import GPT2
import Lab

/// The shipped models are what their script makes: rebuilding `sft` from the shipped `base`
/// with the script's seed gives the same file, byte for byte (lessons/models/build.rlhf), and on
/// 2 threads although the file was made on 1: the thread count never changes a number.
@Suite struct ShippedModelTests {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedModelsLoadWithTheirTokenizer() throws {
        for name in ["base", "sft", "reward"] {
            let folder = repository.appendingPathComponent("lessons/models/\(name)")
            let (config, tensors) = try Checkpoint.load(directory: folder)
            #expect(config.isRewardModel == (name == "reward"))
            let model = try GPT2Model(config: config, tensors: tensors)
            #expect(model.parameterCount < 500_000)   // each file stays well under 2 MB
            #expect(try loadTokenizer(directory: folder).vocabularySize == config.vocabSize)
        }
    }

    @Test func sftRebuildsFromBaseByteForByte() throws {
        let session = Session(console: .capturing())
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-sft-rebuild-\(getpid())")
        defer { try? FileManager.default.removeItem(at: output) }
        let base = repository.appendingPathComponent("lessons/models/base").path
        for line in [":set threads 2", ":set verbose 0", ":load policy \(base)", ":seed 2", "sft 80", ":save policy \(output.path)"] {
            let outcome = session.execute(line: line)
            #expect(outcome.ok, "\(line): \(outcome.stderr)")
        }
        #if DEBUG
        // A debug build rounds some float operations differently from the release build that
        // made the files, so here the weights are compared with a tolerance; `make test`
        // (release) compares the bytes.
        let rebuilt = try Safetensors.read(from: output.appendingPathComponent("model.safetensors"))
        let shipped = try Safetensors.read(from: repository.appendingPathComponent("lessons/models/sft/model.safetensors"))
        for (name, tensor) in shipped {
            let largest = zip(tensor.data, rebuilt[name]!.data).map { abs($0 - $1) }.max() ?? 0
            #expect(largest < 1e-3, "\(name): largest difference \(largest)")
        }
        #else
        let rebuilt = try Data(contentsOf: output.appendingPathComponent("model.safetensors"))
        let shipped = try Data(contentsOf: repository.appendingPathComponent("lessons/models/sft/model.safetensors"))
        #expect(rebuilt == shipped, "rebuilt sft differs from lessons/models/sft: rerun lessons/models/build.rlhf")
        #endif
    }
}
