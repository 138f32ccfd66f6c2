import Foundation
import Testing
import Numerics
import GPT2

@Suite struct SafetensorsTests {
    /// A small valid file: two F32 tensors, one F16, one BF16, one empty.
    static let header = """
    {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},\
    "b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},"c":{"dtype":"BF16","shape":[1],"data_offsets":[22,24]},\
    "empty":{"dtype":"F32","shape":[0,4],"data_offsets":[24,24]}}
    """
    static var buffer: [UInt8] {
        var bytes: [UInt8] = []
        for value: Float in [1, -2, 0.5, 3] { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        bytes += [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00]  // F16: 1.0, -2.0, smallest subnormal 2^-24
        bytes += [0x40, 0x40]  // BF16: 3.0 (0x4040 << 16)
        return bytes
    }
    static var validFile: Data { safetensorsBytes(header: header, buffer: buffer) }

    @Test func readsHandBuiltFile() throws {
        let tensors = try Safetensors.decode(SafetensorsTests.validFile)
        #expect(tensors["a"]?.shape == [2, 2])
        #expect(tensors["a"]?.data == [1, -2, 0.5, 3])
        #expect(tensors["b"]?.data == [1, -2, 0x1p-24])
        #expect(tensors["c"]?.data == [3])
        #expect(tensors["empty"]?.shape == [0, 4])
        #expect(tensors["a"]?.name == "a")
    }

    @Test func halfPrecisionSpecialValues() throws {
        let header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]}}"
        // 0x7C00 inf, 0xFC00 -inf, 0x7E00 NaN, 0x7BFF 65504 (largest), 0x0400 2^-14 (smallest normal)
        let bytes: [UInt8] = [0x00, 0x7C, 0x00, 0xFC, 0x00, 0x7E, 0xFF, 0x7B, 0x00, 0x04]
        let values = try Safetensors.decode(safetensorsBytes(header: header, buffer: bytes))["h"]!.data
        #expect(values[0] == .infinity && values[1] == -.infinity && values[2].isNaN)
        #expect(values[3] == 65504 && values[4] == 0x1p-14)
    }

    @Test func writeThenReadIsExact() throws {
        let tensors = randomTensors(tinyConfig())
        let data = Safetensors.encode(tensors)
        // Header padded to a multiple of 8 with spaces, as the Python library does.
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let back = try Safetensors.decode(data)
        #expect(Set(back.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            #expect(back[name]?.shape == tensor.shape)
            #expect(back[name]?.data == tensor.data, "\(name)")
        }
        // Written bytes are deterministic: same tensors, same file.
        #expect(Safetensors.encode(tensors) == data)
    }

    @Test func writesAtomicallyToDisk() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let url = folder.appendingPathComponent("nested/model.safetensors")
        let tensors = ["x": Tensor(shape: [3], data: [1, 2, 3])]
        try Safetensors.write(tensors, to: url)
        try Safetensors.write(["x": Tensor(shape: [1], data: [9])], to: url)  // replaces the old file
        #expect(try Safetensors.read(from: url)["x"]?.data == [9])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(leftovers == ["model.safetensors"])
    }

    @Test func readsFixtureModel() throws {
        let tensors = try Safetensors.read(from: fixtureURL("tiny-lm/model.safetensors"))
        #expect(tensors.count == 28)
        #expect(tensors["transformer.wte.weight"]?.shape == [50, 32])
        #expect(tensors["transformer.h.1.mlp.c_fc.weight"]?.shape == [32, 128])
    }

    /// Every strict prefix of a valid file is a truncated file: each must throw, none may crash.
    @Test func everyTruncationThrows() throws {
        let file = SafetensorsTests.validFile
        for length in 0..<file.count {
            let error = thrownError { _ = try Safetensors.decode(file.prefix(length), file: "cut.safetensors") }
            #expect(error is SafetensorsError, "prefix of \(length) bytes was accepted")
        }
    }

    /// Each hostile file throws one line naming the file and, where there is one, the tensor.
    @Test(arguments: [
        ("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "a", "not supported"),
        ("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "a", "unknown"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "a", "hold 8 bytes"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, "a", "outside the data buffer"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "a", "outside the data buffer"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8, "a", "outside the data buffer"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "b", "overlapping"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "a", "negative"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, "a", "too many"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}", 8, "a", "too many bytes"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8, "a", "[begin, end]"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8, "a", "shape"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "a", "shape"),
        ("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "dtype"),
        ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999999]}}", 8, "a", "data_offsets"),
        ("{\"a\":[1,2]}", 8, "a", "malformed"),
        ("{\"__metadata__\":{\"format\":1}}", 0, "", "__metadata__"),
        ("[1,2,3]", 0, "", "not a JSON object"),
        ("{\"a\":", 0, "", "not a JSON object"),
        ("\u{FEFF}{}", 0, "", "not a JSON object"),
    ])
    func rejectsHostileHeader(header: String, bufferBytes: Int, tensor: String, phrase: String) {
        let file = safetensorsBytes(header: header, buffer: [UInt8](repeating: 0, count: bufferBytes))
        let error = thrownError { _ = try Safetensors.decode(file, file: "bad.safetensors") } as? SafetensorsError
        #expect(error != nil, "accepted \(header)")
        let message = error?.description ?? ""
        #expect(message.hasPrefix("bad.safetensors"), "\(message)")
        #expect(tensor.isEmpty ? error?.tensor == nil : error?.tensor == tensor, "\(message)")
        #expect(message.contains(phrase), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func rejectsHugeAndLyingHeaderLengths() {
        for length: UInt64 in [UInt64.max, 1 << 40, 100_000_001, 1000] {
            var data = Data()
            withUnsafeBytes(of: length.littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: Array("{}".utf8))
            let error = thrownError { _ = try Safetensors.decode(data, file: "f") } as? SafetensorsError
            #expect(error?.problem.contains("header of") == true, "\(String(describing: error))")
        }
    }

    @Test func rejectsInvalidUTF8Header() {
        var data = Data()
        withUnsafeBytes(of: UInt64(4).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: [0x7B, 0xFF, 0xFE, 0x7D])
        let error = thrownError { _ = try Safetensors.decode(data, file: "f") } as? SafetensorsError
        #expect(error?.problem.contains("UTF-8") == true)
    }

    @Test func errorMessagesEscapeHostileNames() {
        let header = "{\"line\\nbreak\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}"
        let error = thrownError { _ = try Safetensors.decode(safetensorsBytes(header: header, buffer: [0]), file: "f") }
        let message = String(describing: error!)
        #expect(!message.contains("\n"))
        #expect(message.contains("line\\nbreak"))
    }
}
