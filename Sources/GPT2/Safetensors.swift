import Foundation
import Numerics

/// The safetensors file format (Hugging Face), read and written without trusting the bytes.
///
/// Layout:
///
///     [8 bytes]  N, the header length, UInt64 little-endian
///     [N bytes]  header: a JSON object, UTF-8, padded with spaces
///                {"__metadata__": {"format": "pt"},
///                 "transformer.wte.weight": {"dtype": "F32", "shape": [64, 32], "data_offsets": [0, 8192]},
///                 ...}
///     [rest]     the data buffer; data_offsets [begin, end) count bytes from its start
///
/// Numbers are little-endian, row-major (the last dimension varies fastest).
/// We read F32, F16, BF16 and F64 (converted to Float) and write F32.
public enum Safetensors {
    /// The largest header we accept. The Python library's limit is 100 MB too.
    public static let maximumHeaderBytes = 100_000_000
    /// The largest file we open (memory-mapped): 64 GiB, far more than any model this lab trains.
    public static let maximumFileBytes = 64 << 30

    /// Bytes per number for each element type we can read.
    static let bytesPerElement: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8]
    /// Types the format defines that we refuse (integer and 8-bit float tensors never hold GPT-2 weights).
    static let otherDTypes: Set<String> = ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64",
                                           "F8_E5M2", "F8_E4M3"]

    // MARK: Reading

    /// Reads every tensor of a .safetensors file, keyed by name.
    public static func read(from url: URL) throws -> [String: Tensor] {
        let data: Data
        do {
            data = try BoundedFile.read(url, limit: maximumFileBytes, mapped: true)
        } catch let error as BoundedFile.ReadError {
            throw SafetensorsError(file: url.path, tensor: nil, problem: error.problem)
        }
        return try decode(data, file: url.path)
    }

    /// One tensor's header entry, checked: where its bytes are and how to read them.
    struct Entry {
        let name: String
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// Parses the bytes of a .safetensors file. Every check happens before any number is read.
    public static func decode(_ data: Data, file: String = "model.safetensors") throws -> [String: Tensor] {
        let entries = try parseHeader(data, file: file)
        let bufferStart = data.startIndex + 8 + headerLength(data)
        var tensors: [String: Tensor] = [:]
        for entry in entries {
            let bytes = data[(bufferStart + entry.begin)..<(bufferStart + entry.end)]
            let values = convertToFloat(bytes, dtype: entry.dtype)
            tensors[entry.name] = Tensor(shape: entry.shape, data: values, name: entry.name)
        }
        return tensors
    }

    /// The header length N from the first 8 bytes (call only after checking data.count >= 8).
    static func headerLength(_ data: Data) -> Int {
        var length: UInt64 = 0
        for (index, byte) in data.prefix(8).enumerated() { length |= UInt64(byte) << (8 * UInt64(index)) }
        return length > UInt64(Int.max) ? Int.max : Int(length)
    }

    /// Validates the header and returns its entries, sorted by begin offset.
    static func parseHeader(_ data: Data, file: String) throws -> [Entry] {
        func fail(_ tensor: String?, _ problem: String) -> SafetensorsError {
            SafetensorsError(file: file, tensor: tensor, problem: problem)
        }
        guard data.count >= 8 else {
            throw fail(nil, "is \(data.count) bytes, too short for the 8-byte header length")
        }
        let headerCount = headerLength(data)
        guard headerCount <= maximumHeaderBytes else {
            throw fail(nil, "declares a header of \(headerCount) bytes, more than the limit of \(maximumHeaderBytes)")
        }
        guard headerCount <= data.count - 8 else {
            throw fail(nil, "declares a header of \(headerCount) bytes but only \(data.count - 8) bytes follow (truncated file?)")
        }
        let headerStart = data.startIndex + 8
        let headerBytes = data[headerStart..<(headerStart + headerCount)]
        guard String(data: headerBytes, encoding: .utf8) != nil else {
            throw fail(nil, "has a header that is not valid UTF-8")
        }
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail(nil, "has a header that is not a JSON object (it must start with '{')")
        }
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch let error as SafetensorsError {
            throw fail(error.tensor, error.problem)
        } catch {
            throw fail(nil, "has a header that is not a JSON object of tensor entries")
        }

        let bufferCount = data.count - 8 - headerCount
        var entries: [Entry] = []
        for (name, raw) in header.tensors {
            guard let size = bytesPerElement[raw.dtype] else {
                let kind = otherDTypes.contains(raw.dtype) ? "is not supported" : "is unknown"
                throw fail(name, "has dtype \(quoted(raw.dtype)), which \(kind); readable: F32, F16, BF16, F64")
            }
            var elementCount = 1
            for dimension in raw.shape {
                guard dimension >= 0 else { throw fail(name, "has a negative dimension in shape \(raw.shape)") }
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw fail(name, "has shape \(raw.shape), too many elements to count") }
                elementCount = product
            }
            let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail(name, "has shape \(raw.shape), too many bytes to count") }
            guard raw.offsets.count == 2 else {
                throw fail(name, "has data_offsets \(raw.offsets), expected [begin, end]")
            }
            let (begin, end) = (raw.offsets[0], raw.offsets[1])
            guard 0 <= begin, begin <= end, end <= bufferCount else {
                throw fail(name, "has data_offsets [\(begin), \(end)] outside the data buffer of \(bufferCount) bytes")
            }
            guard end - begin == byteCount else {
                throw fail(name, "has shape \(raw.shape) of dtype \(raw.dtype) = \(byteCount) bytes, but data_offsets [\(begin), \(end)] hold \(end - begin) bytes")
            }
            entries.append(Entry(name: name, dtype: raw.dtype, shape: raw.shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw fail(next.name, "has data_offsets [\(next.begin), \(next.end)] overlapping \(quoted(previous.name)) at [\(previous.begin), \(previous.end)]")
        }
        return entries
    }

    /// Little-endian bytes to Float.
    ///   F32:  the bits as they are
    ///   BF16: the top 16 bits of a float32, so value = Float(bitPattern: bits << 16)
    ///   F16:  1 sign, 5 exponent (bias 15), 10 mantissa bits, converted by `halfToFloat`
    ///   F64:  rounded to the nearest Float
    static func convertToFloat(_ bytes: Data, dtype: String) -> [Float] {
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Float] in
            switch dtype {
            case "F32":
                return (0..<(raw.count / 4)).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                }
            case "BF16":
                return (0..<(raw.count / 2)).map {
                    Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16)
                }
            case "F16":
                return (0..<(raw.count / 2)).map {
                    halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))
                }
            default:  // F64
                return (0..<(raw.count / 8)).map {
                    Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))))
                }
            }
        }
    }

    /// IEEE half precision to Float:
    ///   exponent 0:      value = (-1)^sign * mantissa * 2^-24         (zero and subnormals)
    ///   exponent 31:     infinity (mantissa 0) or NaN
    ///   otherwise:       value = (-1)^sign * (1 + mantissa / 1024) * 2^(exponent - 15)
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0: return sign * Float(mantissa) * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default:
            let floatBits = UInt32(exponent - 15 + 127) << 23 | mantissa << 13
            return sign * Float(bitPattern: floatBits)
        }
    }

    // MARK: Writing

    /// The bytes of a .safetensors file holding `tensors` as F32, sorted by name, with
    /// `__metadata__ {"format": "pt"}` and the header padded with spaces to a multiple of 8 bytes.
    public static func encode(_ tensors: [String: Tensor]) -> Data {
        let names = tensors.keys.sorted()
        var header = "{\"__metadata__\":{\"format\":\"pt\"}"
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let byteCount = 4 * tensor.data.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            header += ",\(jsonStringLiteral(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + byteCount)]}"
            offset += byteCount
        }
        header += "}"
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var file = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        for name in names {
            let littleEndianBits = tensors[name]!.data.map { $0.bitPattern.littleEndian }
            littleEndianBits.withUnsafeBytes { file.append(contentsOf: $0) }
        }
        return file
    }

    /// Writes a .safetensors file atomically (see `AtomicFile`).
    public static func write(_ tensors: [String: Tensor], to url: URL) throws {
        try AtomicFile.write(encode(tensors), to: url)
    }

    /// A name for an error message: escaped, on one line, at most 80 characters.
    static func quoted(_ text: String) -> String {
        let short = text.count > 80 ? String(text.prefix(80)) + "..." : text
        return short.debugDescription
    }
}

/// The header as JSON: tensor entries plus an optional `__metadata__` of strings.
private struct RawHeader: Decodable {
    struct RawEntry: Decodable {
        let dtype: String
        let shape: [Int]
        let offsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, offsets = "data_offsets" }
    }
    struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    var tensors: [(String, RawEntry)] = []

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                guard (try? container.decode([String: String].self, forKey: key)) != nil else {
                    throw SafetensorsError(file: "", tensor: nil, problem: "has __metadata__ that is not an object of strings")
                }
                continue
            }
            do {
                tensors.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            } catch let error as DecodingError {
                throw SafetensorsError(file: "", tensor: key.stringValue, problem: RawHeader.explain(error))
            } catch {  // e.g. a number that is not an integer, or too large for one
                throw SafetensorsError(file: "", tensor: key.stringValue, problem: RawHeader.expectedForm)
            }
        }
    }

    static let expectedForm = "expected {\"dtype\": string, \"shape\": [integers], \"data_offsets\": [begin, end]}"

    static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "has no \"\(key.stringValue)\" field"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let field = context.codingPath.last { $0.intValue == nil }?.stringValue ?? "entry"
            return "has a malformed \"\(field)\"; " + expectedForm
        @unknown default: return "is malformed"
        }
    }
}

/// A problem in a .safetensors file, one line: `model.safetensors: tensor "h.0.attn.c_attn.weight" has ...`.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// The tensor at fault, or nil when the problem is in the file as a whole.
    public let tensor: String?
    public let problem: String

    public var description: String {
        if let tensor { return "\(file): tensor \(Safetensors.quoted(tensor)) \(problem)" }
        return "\(file) \(problem)"
    }
}
