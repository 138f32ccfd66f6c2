import Foundation
import Numerics
import GPT2

extension FuzzHarness {
    /// The tiny model every checkpoint seed describes: V 8, T 4, C 4, L 1, H 1 (300 numbers).
    static let tinyConfig = GPT2Config(vocabSize: 8, contextLength: 4, embeddingSize: 4, layerCount: 1, headCount: 1,
                                       bosTokenId: 0, eosTokenId: 0)

    /// `model.safetensors`: the 8-byte header length, the JSON header, the data buffer.
    /// After a file loads, writing it again and reading that back must give the same numbers.
    static let safetensors = FuzzHarness(
        name: "safetensors", summary: "model.safetensors (Safetensors.decode, then Checkpoint.normalize)",
        dictionary: jsonTokens + ["\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"",
                                  "\"I64\"", "\"__metadata__\"", "\"format\"", "\"pt\"", "[0, 0]", "[]", "[1, 2, 3]",
                                  "\"transformer.wte.weight\"", "\"h.0.attn.bias\"", "\"lm_head.weight\""],
        seeds: {
            let model = GPT2Model(config: tinyConfig, seed: 1)
            var tensors = model.namedParameters
            let small = ["a": Tensor(shape: [2, 2], data: [1, -2, .infinity, .nan]), "b": Tensor(shape: [0], data: []),
                         "c": Tensor(shape: [], data: [3])]
            tensors["lm_head.weight"] = tensors["transformer.wte.weight"]
            return ["tiny-model.safetensors": Safetensors.encode(model.namedParameters),
                    "tiny-model-with-lm-head.safetensors": Safetensors.encode(tensors),
                    "small.safetensors": Safetensors.encode(small),
                    "dtypes.safetensors": mixedDTypeFile()]
        },
        run: { data, _ in
            let tensors: [String: Tensor]
            do { tensors = try Safetensors.decode(data, file: "fuzz.safetensors") }
            catch { return .rejected("\(error)") }
            for (name, tensor) in tensors where tensor.data.count != tensor.shape.reduce(1, *) {
                throw FuzzFinding("tensor \(name) has shape \(tensor.shape) but \(tensor.data.count) numbers")
            }
            let again = try Safetensors.decode(Safetensors.encode(tensors))
            for (name, tensor) in tensors {
                guard let copy = again[name], copy.shape == tensor.shape,
                      copy.data.map(\.bitPattern) == tensor.data.map(\.bitPattern) else {
                    throw FuzzFinding("tensor \(name) changed when written and read again")
                }
            }
            do { _ = try Checkpoint.normalize(tensors, config: tinyConfig) }
            catch { return .rejected("\(error)") }
            return .loaded
        })

    /// A file with one tensor of each readable dtype, written by hand (we only write F32).
    static func mixedDTypeFile() -> Data {
        let header = #"{"__metadata__":{"format":"pt"},"f32":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""f16":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"bf16":{"dtype":"BF16","shape":[1,2],"data_offsets":[12,16]},"#
            + #""f64":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}}"#
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var file = Data()
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        file.append(contentsOf: [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])   // F32 1, -2
        file.append(contentsOf: [0x00, 0x3C, 0x00, 0x7C])             // F16 1, inf
        file.append(contentsOf: [0x80, 0x3F, 0xC0, 0x7F])             // BF16 1, nan
        file.append(contentsOf: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])       // F64 1
        return file
    }
}
