import Foundation

/// GPT-2's tokenizer: byte-level byte-pair encoding.
///
/// Encoding, step by step:
///   1. split out added tokens (`<|endoftext|>`) anywhere in the text
///   2. cut the rest into pieces with GPT-2's pattern (see `ByteLevel.preTokenize`): "Hello world" -> "Hello", " world"
///   3. write each piece's UTF-8 bytes as characters (see `ByteLevel`): " world" -> "Ġworld"
///   4. start from single characters and apply merges, lowest rank first, until none applies:
///        Ġ w o r l d  -> (merge "o r") Ġ w or l d -> ... -> Ġworld
///   5. look each symbol up in the vocabulary
/// Decoding maps ids to tokens, tokens to bytes, bytes to UTF-8; invalid byte sequences become
/// U+FFFD, like Python's `bytes.decode("utf-8", errors="replace")`.
public final class BPETokenizer: Tokenizer, @unchecked Sendable {
    /// Token strings (byte-level characters) by id.
    public let vocabulary: [String]
    /// Merges in priority order: merges[0] is applied first.
    public let merges: [(String, String)]
    public let eosTokenId: Int32
    public let padTokenId: Int32?
    let ids: [String: Int32]
    let mergeRanks: [MergePair: Int]
    let addedTokens: [AddedToken]
    let splitter: AddedTokenSplitter

    struct MergePair: Hashable {
        let left: String
        let right: String
    }

    /// Pieces already encoded (piece -> ids); GPT-2 text repeats the same words a lot.
    private var cache: [String: [Int32]] = [:]
    private let cacheLock = NSLock()
    static let cacheLimit = 100_000

    init(vocabulary: [String], merges: [(String, String)], addedTokens: [AddedToken], file: String) throws {
        var ids: [String: Int32] = [:]
        for (id, token) in vocabulary.enumerated() where ids[token] == nil { ids[token] = Int32(id) }
        var ranks: [MergePair: Int] = [:]
        for (rank, merge) in merges.enumerated() {
            let pair = MergePair(left: merge.0, right: merge.1)
            if ranks[pair] == nil { ranks[pair] = rank }
        }
        guard let eos = ids["<|endoftext|>"] else {
            throw TokenizerError(file: file, problem: "has no \"<|endoftext|>\" token")
        }
        self.vocabulary = vocabulary
        self.merges = merges
        self.ids = ids
        self.mergeRanks = ranks
        self.eosTokenId = eos
        self.padTokenId = nil
        var added = addedTokens
        if !added.contains(where: { $0.id == eos }) {
            added.append(AddedToken(content: "<|endoftext|>", id: eos, special: true))
        }
        self.addedTokens = added
        self.splitter = AddedTokenSplitter(added)
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
                for word in ByteLevel.preTokenize(text) { result += encodePiece(word) }
            }
        }
        return result
    }

    /// Ids of one pre-tokenized piece, from the cache or by merging.
    func encodePiece(_ piece: String) -> [Int32] {
        cacheLock.lock()
        let cached = cache[piece]
        cacheLock.unlock()
        if let cached { return cached }
        // Symbols the vocabulary lacks are left out (the tokenizer has no unknown token).
        let ids = bytePairMerge(ByteLevel.encode(piece).map { String($0) }).compactMap { self.ids[$0] }
        cacheLock.lock()
        if cache.count >= BPETokenizer.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[piece] = ids
        cacheLock.unlock()
        return ids
    }

    /// Repeatedly merge the adjacent pair with the lowest rank (every occurrence, left to right)
    /// until no adjacent pair is in the merge list. Same result as OpenAI's `bpe()` in encoder.py.
    func bytePairMerge(_ start: [String]) -> [String] {
        var symbols = start
        while symbols.count > 1 {
            var best: (rank: Int, pair: MergePair)? = nil
            for index in 0..<(symbols.count - 1) {
                let pair = MergePair(left: symbols[index], right: symbols[index + 1])
                if let rank = mergeRanks[pair], rank < (best?.rank ?? Int.max) { best = (rank, pair) }
            }
            guard let best else { break }
            var merged: [String] = []
            merged.reserveCapacity(symbols.count)
            var index = 0
            while index < symbols.count {
                if index + 1 < symbols.count && symbols[index] == best.pair.left && symbols[index + 1] == best.pair.right {
                    merged.append(best.pair.left + best.pair.right)
                    index += 2
                } else {
                    merged.append(symbols[index])
                    index += 1
                }
            }
            symbols = merged
        }
        return symbols
    }

    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        let special = Set(addedTokens.filter(\.special).map(\.id))
        var bytes: [UInt8] = []
        for id in ids {
            if skipSpecialTokens && special.contains(id) { continue }
            guard let token = token(for: id) else {
                bytes += [0xEF, 0xBF, 0xBD]  // U+FFFD for an id outside the vocabulary
                continue
            }
            bytes += ByteLevel.bytes(of: token)
        }
        return String(decoding: bytes, as: UTF8.self)  // invalid UTF-8 -> U+FFFD
    }

    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < vocabulary.count ? vocabulary[Int(id)] : nil
    }

    public func id(for token: String) -> Int32? { ids[token] }

    // MARK: Files

    /// Reads GPT-2's `vocab.json` ({"token": id}) and `merges.txt` ("#version" line, then "left right" per line).
    public convenience init(vocabFile: URL, mergesFile: URL) throws {
        let vocabData = try readTokenizerFile(vocabFile)
        let object: Any? = try? JSONSerialization.jsonObject(with: vocabData)
        let vocabulary = try TokenizerJSON.vocabularyList(object, field: "the vocabulary", file: vocabFile.path)
        let mergesData = try readTokenizerFile(mergesFile)
        guard let mergesText = String(data: mergesData, encoding: .utf8) else {
            throw TokenizerError(file: mergesFile.path, problem: "is not valid UTF-8")
        }
        var merges: [(String, String)] = []
        for (index, line) in textLines(mergesText).enumerated() {
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError(file: mergesFile.path, problem: "line \(index + 1) is not two tokens separated by one space")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: [], file: vocabFile.path)
    }

    /// Reads a tokenizer.json whose model is `BPE` with a `ByteLevel` pre-tokenizer.
    public convenience init(tokenizerJSON data: Data, file: String = "tokenizer.json") throws {
        let object = try TokenizerJSON.parseObject(data, file: file)
        guard let model = object["model"] as? [String: Any], model["type"] as? String == "BPE" else {
            throw TokenizerError(file: file, problem: "model.type must be \"BPE\" for a byte-level BPE tokenizer")
        }
        let preTokenizer = object["pre_tokenizer"] as? [String: Any]
        guard preTokenizer?["type"] as? String == "ByteLevel" else {
            throw TokenizerError(file: file, problem: "pre_tokenizer must be ByteLevel (GPT-2's byte-level BPE)")
        }
        guard preTokenizer?["add_prefix_space"] as? Bool != true else {
            throw TokenizerError(file: file, problem: "pre_tokenizer.add_prefix_space is true; only false (GPT-2's setting) is supported")
        }
        for option in ["dropout", "continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[option], !(value is NSNull) {
                throw TokenizerError(file: file, problem: "model.\(option) must be null")
            }
        }
        let vocabulary = try TokenizerJSON.vocabularyList(model["vocab"], field: "model.vocab", file: file)
        guard let rawMerges = model["merges"] as? [Any] else {
            throw TokenizerError(file: file, problem: "model.merges is missing or not a list")
        }
        var merges: [(String, String)] = []
        for (index, raw) in rawMerges.enumerated() {
            // Newer files store ["left", "right"], older ones "left right".
            var pair: (String, String)? = nil
            if let list = raw as? [Any], list.count == 2, let left = list[0] as? String, let right = list[1] as? String {
                pair = (left, right)
            } else if let line = raw as? String, case let parts = line.split(separator: " ", omittingEmptySubsequences: false), parts.count == 2 {
                pair = (String(parts[0]), String(parts[1]))
            }
            if let (left, right) = pair {
                // merges.txt (what we save) holds "left right" per line: no spaces or line breaks inside
                guard ![left, right].contains(where: { $0.isEmpty || $0.unicodeScalars.contains { $0 == " " || $0 == "\n" || $0 == "\r" } }) else {
                    throw TokenizerError(file: file, problem: "model.merges[\(index)] has an empty token or one with a space or line break (byte-level BPE writes a space as Ġ)")
                }
                merges.append((left, right))
            } else {
                throw TokenizerError(file: file, problem: "model.merges[\(index)] is neither [\"left\", \"right\"] nor \"left right\"")
            }
        }
        let added = try TokenizerJSON.addedTokens(object, vocabulary: vocabulary, file: file)
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: added, file: file)
    }

    /// vocab.json, merges.txt and a tokenizer_config.json for `AutoTokenizer` (GPT2Tokenizer).
    public func files() throws -> [String: Data] {
        let vocab = "{" + vocabulary.enumerated().map { "\(JSONWriter.string($0.element)): \($0.offset)" }
            .joined(separator: ", ") + "}\n"
        let mergeLines = "#version: 0.2\n" + merges.map { "\($0.0) \($0.1)\n" }.joined()
        let eos = vocabulary[Int(eosTokenId)]
        let config = JSONWriter.tokenizerConfig(className: "GPT2Tokenizer",
                                                specialTokens: [("eos_token", eos), ("bos_token", eos), ("unk_token", eos)])
        return ["vocab.json": Data(vocab.utf8), "merges.txt": Data(mergeLines.utf8), "tokenizer_config.json": config]
    }
}

extension BPETokenizer: CustomStringConvertible {
    public var description: String {
        "BPETokenizer(\(vocabularySize) tokens, \(merges.count) merges, eos: \(eosTokenId))"
    }
}
