import Foundation

/// A word-level tokenizer: one id per word or punctuation mark, the tokenizer of the lessons' tiny world.
///
/// Encoding, step by step (what Hugging Face's `WordLevel` model does):
///   1. find added tokens (`<|endoftext|>`, `<pad>`, `<q>`, `<a>`) anywhere in the raw text,
///      even glued to words: "<q>how" -> <q>, how
///   2. cut the text between them into pieces (see `WordPreTokenizer`): "tea?" -> tea, ?
///   3. look each piece up whole; a missing piece becomes the unknown token `<unk>`
/// There is no lowercasing: "How" is not "how".
///
/// Decoding joins the tokens with single spaces (tokenizer.json has no decoder), so
/// decode(encode("tea?")) == "tea ?".
///
/// Stored as a `tokenizer.json` that `tokenizers.Tokenizer.from_file` and
/// `PreTrainedTokenizerFast(tokenizer_file:)` load.
public struct WordTokenizer: Tokenizer, Equatable {
    /// Token strings by id.
    public let vocabulary: [String]
    public let unknownToken: String
    public let preTokenizer: WordPreTokenizer
    public let eosTokenId: Int32
    public let padTokenId: Int32?
    let unknownTokenId: Int32
    let ids: [String: Int32]
    let addedTokens: [AddedToken]
    let splitter: AddedTokenSplitter

    public static func == (left: WordTokenizer, right: WordTokenizer) -> Bool {
        left.vocabulary == right.vocabulary && left.unknownToken == right.unknownToken
            && left.preTokenizer == right.preTokenizer && left.addedTokens == right.addedTokens
    }

    /// Names we recognise for the end-of-text and padding tokens, in order of preference.
    static let endOfTextNames = ["<|endoftext|>", "</s>", "<eos>"]
    static let paddingNames = ["<pad>", "<|pad|>"]

    /// A tokenizer whose vocabulary is `specialTokens`, then `unknownToken`, then `words`
    /// (ids in that order). Special tokens are matched before pre-tokenization; one of them
    /// must be an end-of-text token ("<|endoftext|>").
    public init(words: [String], specialTokens: [String] = ["<|endoftext|>", "<pad>", "<q>", "<a>"],
                unknownToken: String = "<unk>", preTokenizer: WordPreTokenizer = .whitespaceSplitPunctuation) throws {
        let vocabulary = specialTokens + [unknownToken] + words
        var seen = Set<String>()
        for token in vocabulary {
            guard !token.isEmpty else {
                throw TokenizerError(file: "word list", problem: "has an empty token")
            }
            guard seen.insert(token).inserted else {
                throw TokenizerError(file: "word list", problem: "has \(Safetensors.quoted(token)) twice")
            }
        }
        let added = specialTokens.enumerated().map { AddedToken(content: $0.element, id: Int32($0.offset), special: true) }
        try self.init(vocabulary: vocabulary, unknownToken: unknownToken, addedTokens: added,
                      preTokenizer: preTokenizer, file: "word list")
    }

    init(vocabulary: [String], unknownToken: String, addedTokens: [AddedToken],
         preTokenizer: WordPreTokenizer, file: String) throws {
        guard vocabulary.count <= TokenizerJSON.maximumVocabularySize else {
            throw TokenizerError(file: file, problem: "has \(vocabulary.count) tokens, more than \(TokenizerJSON.maximumVocabularySize)")
        }
        var ids: [String: Int32] = [:]
        for (id, token) in vocabulary.enumerated() where ids[token] == nil { ids[token] = Int32(id) }
        guard let unknownTokenId = ids[unknownToken] else {
            throw TokenizerError(file: file, problem: "unk_token \(Safetensors.quoted(unknownToken)) is not in the vocabulary")
        }
        guard let eos = WordTokenizer.endOfTextNames.lazy.compactMap({ ids[$0] }).first else {
            throw TokenizerError(file: file, problem: "has no end-of-text token; add one of \(WordTokenizer.endOfTextNames)")
        }
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        self.unknownTokenId = unknownTokenId
        self.preTokenizer = preTokenizer
        self.ids = ids
        self.addedTokens = addedTokens
        self.splitter = AddedTokenSplitter(addedTokens)
        self.eosTokenId = eos
        self.padTokenId = WordTokenizer.paddingNames.lazy.compactMap({ ids[$0] }).first
    }

    // MARK: Tokenizer

    public var vocabularySize: Int { vocabulary.count }

    public func encode(_ text: String) -> [Int32] {
        var result: [Int32] = []
        for piece in splitter.split(text) {
            switch piece {
            case .added(let token):
                result.append(token.id)
            case .text(let text):
                for word in preTokenizer.split(text) { result.append(ids[word] ?? unknownTokenId) }
            }
        }
        return result
    }

    /// The pieces of `text` that are not in the vocabulary (each becomes `<unk>`), in order, each once.
    public func unknownWords(in text: String) -> [String] {
        var unknown: [String] = []
        for piece in splitter.split(text) {
            if case .text(let text) = piece {
                for word in preTokenizer.split(text) where ids[word] == nil && !unknown.contains(word) { unknown.append(word) }
            }
        }
        return unknown
    }

    /// Tokens joined by single spaces. With `skipSpecialTokens`, special tokens (`<q>`, `<pad>`, ...) are left out.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        let special = Set(addedTokens.filter(\.special).map(\.id))
        return ids.filter { !(skipSpecialTokens && special.contains($0)) }
            .map { token(for: $0) ?? "\u{FFFD}" }
            .joined(separator: " ")
    }

    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < vocabulary.count ? vocabulary[Int(id)] : nil
    }

    public func id(for token: String) -> Int32? { ids[token] }

    // MARK: tokenizer.json

    /// Reads a tokenizer.json whose model is `WordLevel`.
    public init(tokenizerJSON data: Data, file: String = "tokenizer.json") throws {
        let object = try TokenizerJSON.parseObject(data, file: file)
        guard let model = object["model"] as? [String: Any], model["type"] as? String == "WordLevel" else {
            throw TokenizerError(file: file, problem: "model.type must be \"WordLevel\" for a word tokenizer")
        }
        let vocabulary = try TokenizerJSON.vocabularyList(model["vocab"], field: "model.vocab", file: file)
        guard let unknownToken = model["unk_token"] as? String else {
            throw TokenizerError(file: file, problem: "model.unk_token is missing or not a string")
        }
        if let normalizer = object["normalizer"], !(normalizer is NSNull) {
            throw TokenizerError(file: file, problem: "normalizer must be null (we do not lowercase or normalise)")
        }
        let added = try TokenizerJSON.addedTokens(object, vocabulary: vocabulary, file: file)
        let preTokenizer = try WordPreTokenizer.fromJSON(object["pre_tokenizer"], file: file)
        try self.init(vocabulary: vocabulary, unknownToken: unknownToken, addedTokens: added,
                      preTokenizer: preTokenizer, file: file)
    }

    /// Reads a tokenizer.json file.
    public init(contentsOf url: URL) throws {
        try self.init(tokenizerJSON: try readTokenizerFile(url), file: url.path)
    }

    /// The tokenizer.json text, in the key order Hugging Face uses.
    public func tokenizerJSON() -> Data {
        let vocab = JSONWriter.object(vocabulary.enumerated().map { ($0.element, "\($0.offset)") }, indent: 4)
        let model = JSONWriter.object([("type", "\"WordLevel\""), ("vocab", vocab),
                                       ("unk_token", JSONWriter.string(unknownToken))], indent: 2)
        let text = JSONWriter.object([
            ("version", "\"1.0\""), ("truncation", "null"), ("padding", "null"),
            ("added_tokens", JSONWriter.addedTokens(addedTokens, indent: 2)),
            ("normalizer", "null"), ("pre_tokenizer", preTokenizer.json(indent: 2)),
            ("post_processor", "null"), ("decoder", "null"), ("model", model),
        ])
        return Data(text.utf8)  // no final newline, like the tokenizers library
    }

    /// tokenizer.json plus a tokenizer_config.json naming the special tokens for `AutoTokenizer`.
    public func files() throws -> [String: Data] {
        var specials = [("eos_token", vocabulary[Int(eosTokenId)]), ("bos_token", vocabulary[Int(eosTokenId)]),
                        ("unk_token", unknownToken)]
        if let padTokenId { specials.append(("pad_token", vocabulary[Int(padTokenId)])) }
        return ["tokenizer.json": tokenizerJSON(),
                "tokenizer_config.json": JSONWriter.tokenizerConfig(className: "PreTrainedTokenizerFast", specialTokens: specials)]
    }
}

extension WordTokenizer: CustomStringConvertible {
    public var description: String {
        let specials = addedTokens.map(\.content).joined(separator: " ")
        return "WordTokenizer(\(vocabularySize) tokens, special: \(specials), unknown: \(unknownToken), eos: \(eosTokenId)\(padTokenId.map { ", pad: \($0)" } ?? ""))"
    }
}
