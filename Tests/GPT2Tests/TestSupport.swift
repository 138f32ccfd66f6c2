import Foundation
import Numerics
import GPT2

/// A fixture file, found next to this source file (see Fixtures/README.md).
func fixtureURL(_ path: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + path)
}

func fixtureData(_ path: String) throws -> Data { try Data(contentsOf: fixtureURL(path)) }

func fixtureJSON(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: try fixtureData(path)) as! [String: Any]
}

/// A fresh empty folder under the system temporary folder; removed by the caller with `removeFolder`.
func temporaryFolder(_ name: String = #function) -> URL {
    let clean = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("gpt2tests-\(clean)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeFolder(_ url: URL) { try? FileManager.default.removeItem(at: url) }

/// The tiny configuration the fixtures use: V 50, T 16, C 32, L 2, H 4.
func tinyConfig(reward: Bool = false) -> GPT2Config {
    GPT2Config(vocabSize: 50, contextLength: 16, embeddingSize: 32, layerCount: 2, headCount: 4,
               bosTokenId: 0, eosTokenId: 0, padTokenId: 1,
               architectures: [reward ? "GPT2ForSequenceClassification" : "GPT2LMHeadModel"])
}

/// Random tensors with every expected name and shape for `config`.
func randomTensors(_ config: GPT2Config, seed: UInt64 = 1) -> [String: Tensor] {
    var rng = RandomGenerator(seed: seed)
    var tensors: [String: Tensor] = [:]
    for (name, shape) in Checkpoint.expectedTensorShapes(config: config) {
        tensors[name] = Tensor.randomNormal(shape, std: 0.1, rng: &rng, name: name)
    }
    return tensors
}

/// Largest |a - b| over two equally long arrays (printed by fixture tests when they fail).
func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Runs `body` and returns the error it throws, or nil.
func thrownError(_ body: () throws -> Void) -> Error? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// A safetensors file built by hand from a header string and a data buffer.
func safetensorsBytes(header: String, buffer: [UInt8]) -> Data {
    var data = Data()
    var length = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    data.append(contentsOf: buffer)
    return data
}
