import Foundation

/// Text to token ids and back. Two kinds: `WordTokenizer` (one id per word or punctuation mark,
/// the lessons' tiny world) and `BPETokenizer` (GPT-2's byte-level byte-pair encoding).
public protocol Tokenizer: Sendable {
    /// V: ids run from 0 to V - 1.
    var vocabularySize: Int { get }
    /// The end-of-text token, appended after every document and response.
    var eosTokenId: Int32 { get }
    /// The token used to fill short sequences in a batch, if the tokenizer has one.
    var padTokenId: Int32? { get }
    /// Text to ids. Never fails: unknown words become the unknown token (WordTokenizer) or bytes (BPE).
    func encode(_ text: String) -> [Int32]
    /// Ids to text. Ids outside 0..<V show as the replacement character U+FFFD.
    func decode(_ ids: [Int32]) -> String
    /// Ids to text, leaving out special tokens like `<pad>` if `skipSpecialTokens`.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String
    /// The vocabulary entry for an id, as stored (nil outside 0..<V).
    func token(for id: Int32) -> String?
    /// The id of a vocabulary entry, as stored.
    func id(for token: String) -> Int32?
    /// The files that describe this tokenizer in a Hugging Face model folder, name -> bytes.
    func files() throws -> [String: Data]
}

extension Tokenizer {
    public func decode(_ ids: [Int32]) -> String { decode(ids, skipSpecialTokens: false) }
}

/// A tokenizer file that cannot be used, one line: `tokenizer.json: vocab has id 7 twice ("a", "b")`.
public struct TokenizerError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let problem: String
    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }
    public var description: String { "\(file): \(problem)" }
}

/// Loads the tokenizer of a model folder: `tokenizer.json` (WordLevel or BPE model) if present,
/// otherwise GPT-2's `vocab.json` + `merges.txt`.
public func loadTokenizer(directory: URL) throws -> any Tokenizer {
    let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
    let vocabJSON = directory.appendingPathComponent("vocab.json")
    let mergesText = directory.appendingPathComponent("merges.txt")
    let fileManager = FileManager.default
    if fileManager.fileExists(atPath: tokenizerJSON.path) {
        let data = try readTokenizerFile(tokenizerJSON)
        let object = try TokenizerJSON.parseObject(data, file: tokenizerJSON.path)
        let model = object["model"] as? [String: Any]
        switch model?["type"] as? String {
        case "WordLevel": return try WordTokenizer(tokenizerJSON: data, file: tokenizerJSON.path)
        case "BPE": return try BPETokenizer(tokenizerJSON: data, file: tokenizerJSON.path)
        case let other:
            throw TokenizerError(file: tokenizerJSON.path,
                                 problem: "model.type is \(other.map { Safetensors.quoted($0) } ?? "missing"), supported: \"WordLevel\", \"BPE\"")
        }
    }
    if fileManager.fileExists(atPath: vocabJSON.path) && fileManager.fileExists(atPath: mergesText.path) {
        return try BPETokenizer(vocabFile: vocabJSON, mergesFile: mergesText)
    }
    throw TokenizerError(file: directory.path, problem: "has no tokenizer.json and no vocab.json + merges.txt")
}

/// Reads a tokenizer file, refusing anything over 64 MB (GPT-2's tokenizer.json is 1.4 MB).
func readTokenizerFile(_ url: URL) throws -> Data {
    do {
        return try BoundedFile.read(url, limit: 64 << 20)
    } catch let error as BoundedFile.ReadError {
        throw TokenizerError(file: url.path, problem: error.problem + (error.isTooLarge ? " (64 MB)" : ""))
    }
}
