import Foundation

/// The parts of Hugging Face's `tokenizer.json` that both of our tokenizers share:
/// the `added_tokens` list, splitting text on those tokens, and writing JSON in a fixed key order.
///
///     {"version": "1.0", "truncation": null, "padding": null,
///      "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
///                        "rstrip": false, "normalized": false, "special": true}],
///      "normalizer": null, "pre_tokenizer": {...}, "post_processor": null, "decoder": null,
///      "model": {"type": "WordLevel" | "BPE", "vocab": {"token": id, ...}, ...}}
enum TokenizerJSON {
    /// Most tokens a vocabulary may have (GPT-2 has 50,257).
    static let maximumVocabularySize = 1_000_000

    /// Parses `data` as a JSON object, or throws naming `file`.
    static func parseObject(_ data: Data, file: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data), let dictionary = object as? [String: Any] else {
            throw TokenizerError(file: file, problem: "is not a valid JSON object")
        }
        return dictionary
    }

    /// Reads a vocab object {"token": id}: ids must be integers, unique, and exactly 0..<V.
    /// Returns the tokens in id order.
    static func vocabularyList(_ value: Any?, field: String, file: String) throws -> [String] {
        guard let vocab = value as? [String: Any] else {
            throw TokenizerError(file: file, problem: "\(field) is missing or not an object of token -> id")
        }
        guard !vocab.isEmpty, vocab.count <= maximumVocabularySize else {
            throw TokenizerError(file: file, problem: "\(field) has \(vocab.count) tokens, allowed 1...\(maximumVocabularySize)")
        }
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (token, rawId) in vocab {
            guard let id = integer(rawId) else {
                throw TokenizerError(file: file, problem: "\(field) gives token \(quoted(token)) the id \(rawId), not an integer")
            }
            guard id >= 0 && id < vocab.count else {
                throw TokenizerError(file: file, problem: "\(field) gives token \(quoted(token)) the id \(id); ids must run 0..<\(vocab.count) without gaps")
            }
            if let other = tokens[id] {
                let pair = [other, token].sorted().map(quoted).joined(separator: " and ")
                throw TokenizerError(file: file, problem: "\(field) gives id \(id) to both \(pair)")
            }
            tokens[id] = token
        }
        return tokens.map { $0! }  // every slot filled: V distinct ids in 0..<V
    }

    /// An Int from a JSON number, refusing booleans and non-integral numbers.
    static func integer(_ value: Any) -> Int? {
        if let number = value as? NSNumber {
            if String(cString: number.objCType) == "c" { return nil }  // true / false
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 1e15 else { return nil }
            return Int(double)
        }
        return nil
    }

    /// The `added_tokens` list. Each must name a vocabulary entry with the same id.
    static func addedTokens(_ object: [String: Any], vocabulary: [String], file: String) throws -> [AddedToken] {
        guard let list = object["added_tokens"] else { return [] }
        guard let entries = list as? [Any] else {
            throw TokenizerError(file: file, problem: "added_tokens is not a list")
        }
        var tokens: [AddedToken] = []
        for (index, entry) in entries.enumerated() {
            guard let fields = entry as? [String: Any], let content = fields["content"] as? String,
                  let rawId = fields["id"], let id = integer(rawId) else {
                throw TokenizerError(file: file, problem: "added_tokens[\(index)] needs a string \"content\" and an integer \"id\"")
            }
            guard !content.isEmpty else {
                throw TokenizerError(file: file, problem: "added_tokens[\(index)] has empty content")
            }
            guard id >= 0 && id < vocabulary.count && vocabulary[id] == content else {
                throw TokenizerError(file: file, problem: "added_tokens[\(index)] \(quoted(content)) has id \(id), but the vocabulary gives that id to \(id >= 0 && id < vocabulary.count ? quoted(vocabulary[id]) : "nothing")")
            }
            let special = (fields["special"] as? Bool) ?? true
            tokens.append(AddedToken(content: content, id: Int32(id), special: special))
        }
        return tokens
    }

    static func quoted(_ text: String) -> String { Safetensors.quoted(text) }
}

/// A token matched in raw text before anything else, like `<|endoftext|>` or `<q>`.
struct AddedToken: Sendable, Equatable {
    let content: String
    let id: Int32
    /// Special tokens are dropped by `decode(_:skipSpecialTokens: true)`.
    let special: Bool
}

/// Splits text on added tokens, the way Hugging Face does before pre-tokenization:
/// scan left to right; at each position take the longest added token that starts there.
/// `"<q>how are you<a>"` -> [.added(<q>), .text("how are you"), .added(<a>)]
struct AddedTokenSplitter: Sendable {
    enum Piece: Equatable {
        case added(AddedToken)
        case text(String)
    }

    /// Added tokens by first scalar, longest first.
    private let candidates: [Unicode.Scalar: [(scalars: [Unicode.Scalar], token: AddedToken)]]

    init(_ tokens: [AddedToken]) {
        var candidates: [Unicode.Scalar: [(scalars: [Unicode.Scalar], token: AddedToken)]] = [:]
        for token in tokens {
            let scalars = Array(token.content.unicodeScalars)
            guard let first = scalars.first else { continue }
            candidates[first, default: []].append((scalars, token))
        }
        for key in candidates.keys { candidates[key]!.sort { $0.scalars.count > $1.scalars.count } }
        self.candidates = candidates
    }

    func split(_ text: String) -> [Piece] {
        if candidates.isEmpty { return text.isEmpty ? [] : [.text(text)] }
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        var textStart = 0, position = 0
        func flushText(upTo end: Int) {
            if end > textStart {
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[textStart..<end])
                pieces.append(.text(String(piece)))
            }
        }
        while position < scalars.count {
            let match = candidates[scalars[position]]?.first { candidate in
                position + candidate.scalars.count <= scalars.count
                    && scalars[position..<(position + candidate.scalars.count)].elementsEqual(candidate.scalars)
            }
            if let match {
                flushText(upTo: position)
                pieces.append(.added(match.token))
                position += match.scalars.count
                textStart = position
            } else {
                position += 1
            }
        }
        flushText(upTo: scalars.count)
        return pieces
    }
}

/// Builds JSON text with keys in the order given (JSONSerialization would sort or shuffle them),
/// so the files we write look like the ones Hugging Face writes.
enum JSONWriter {
    static func string(_ value: String) -> String { jsonStringLiteral(value) }

    /// `{"a": 1, "b": 2}` from ordered (key, already-encoded value) pairs, indented by `indent` spaces.
    static func object(_ fields: [(String, String)], indent: Int = 0) -> String {
        if fields.isEmpty { return "{}" }
        let pad = String(repeating: " ", count: indent + 2)
        let body = fields.map { "\(pad)\(string($0.0)): \($0.1)" }.joined(separator: ",\n")
        return "{\n\(body)\n\(String(repeating: " ", count: indent))}"
    }

    /// `[a, b]` from already-encoded values, one per line.
    static func array(_ values: [String], indent: Int = 0) -> String {
        if values.isEmpty { return "[]" }
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + values.map { pad + $0 }.joined(separator: ",\n") + "\n\(String(repeating: " ", count: indent))]"
    }

    /// The `added_tokens` list as Hugging Face writes it.
    static func addedTokens(_ tokens: [AddedToken], indent: Int) -> String {
        array(tokens.map { token in
            object([("id", "\(token.id)"), ("content", string(token.content)), ("single_word", "false"),
                    ("lstrip", "false"), ("rstrip", "false"), ("normalized", "false"),
                    ("special", token.special ? "true" : "false")], indent: indent + 2)
        }, indent: indent)
    }

    /// `tokenizer_config.json`, so that `AutoTokenizer.from_pretrained(folder)` works.
    static func tokenizerConfig(className: String, specialTokens: [(String, String)]) -> Data {
        let fields = [("tokenizer_class", string(className)), ("clean_up_tokenization_spaces", "false")]
            + specialTokens.map { ($0.0, string($0.1)) }
        return Data((object(fields) + "\n").utf8)
    }
}
