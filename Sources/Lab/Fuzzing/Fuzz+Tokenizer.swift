import Foundation
import GPT2

extension FuzzHarness {
    /// Texts every loaded tokenizer must encode and decode without trouble.
    static let probeTexts = ["", "how do i make tea ?", "<q> tea <a><|endoftext|>", "héllo wörld 🙂", "\u{0}\u{FFFD}  \n\t", "<unk><pad>"]

    /// A loaded tokenizer at work: encoding gives ids inside the vocabulary, decoding any id is safe.
    static func exercise(_ tokenizer: any Tokenizer) throws {
        for text in probeTexts {
            let ids = tokenizer.encode(text)
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= tokenizer.vocabularySize }) {
                throw FuzzFinding("encode(\(text.debugDescription)) gave id \(bad) outside 0..<\(tokenizer.vocabularySize)")
            }
            _ = tokenizer.decode(ids, skipSpecialTokens: true)
        }
        let ids = (0..<Int32(min(tokenizer.vocabularySize, 64))).map { $0 } + [-1, Int32(tokenizer.vocabularySize), .max]
        _ = tokenizer.decode(ids)
    }

    static let tokenizerKeys = ["\"version\"", "\"added_tokens\"", "\"id\"", "\"content\"", "\"special\"", "\"normalizer\"",
                                "\"pre_tokenizer\"", "\"type\"", "\"model\"", "\"vocab\"", "\"merges\"", "\"unk_token\"",
                                "\"WordLevel\"", "\"BPE\"", "\"ByteLevel\"", "\"add_prefix_space\"", "\"Sequence\"",
                                "\"WhitespaceSplit\"", "\"Punctuation\"", "\"Whitespace\"", "\"behavior\"", "\"Isolated\"",
                                "\"pretokenizers\"", "\"dropout\"", "\"<|endoftext|>\"", "\"<unk>\"", "\"<pad>\"", "\"Ġ\""]

    /// A small word tokenizer, the shape of the tiny world's.
    static let smallWordTokenizer = try! WordTokenizer(words: ["how", "do", "i", "make", "tea", "?", "."])

    /// A small byte-level BPE tokenizer.json, written by hand.
    static let smallBPEJSON = #"""
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": [{"id": 9, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
         "post_processor": null, "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,
                   "vocab": {"t": 0, "e": 1, "a": 2, "Ġ": 3, "te": 4, "tea": 5, "Ġt": 6, "Ġtea": 7, "h": 8, "<|endoftext|>": 9},
                   "merges": ["t e", ["te", "a"], "Ġ t", "Ġt ea", "Ġ tea"]}}
        """#

    /// `tokenizer.json` with a WordLevel model. A tokenizer that loads must write a tokenizer.json
    /// that loads back equal.
    static let wordTokenizer = FuzzHarness(
        name: "tokenizer-word", summary: "tokenizer.json, WordLevel (WordTokenizer(tokenizerJSON:))",
        dictionary: jsonTokens + tokenizerKeys,
        seeds: {
            var seeds = ["small.json": smallWordTokenizer.tokenizerJSON()]
            if let world = try? WordTokenizer(words: ["tea", "coffee", "is", "hot", "!", "'s"], specialTokens: ["</s>"], unknownToken: "[UNK]") {
                seeds["other-specials.json"] = world.tokenizerJSON()
            }
            return seeds
        },
        run: { data, _ in
            let tokenizer: WordTokenizer
            do { tokenizer = try WordTokenizer(tokenizerJSON: data, file: "fuzz/tokenizer.json") }
            catch { return .rejected("\(error)") }
            try exercise(tokenizer)
            let again = try WordTokenizer(tokenizerJSON: tokenizer.tokenizerJSON())
            guard again == tokenizer else { throw FuzzFinding("the tokenizer changed when written and read again") }
            return .loaded
        })

    /// `tokenizer.json` with a byte-level BPE model. A tokenizer that loads is saved as
    /// vocab.json + merges.txt (what `:save` writes), which must load back with the same vocabulary and merges.
    static let bpeTokenizer = FuzzHarness(
        name: "tokenizer-bpe", summary: "tokenizer.json, BPE (BPETokenizer(tokenizerJSON:)), saved and reloaded",
        dictionary: jsonTokens + tokenizerKeys + ["\"a b\"", "[\"a\", \"b\"]", "\"Ġt ea\""],
        seeds: { ["small-bpe.json": Data(smallBPEJSON.utf8)] },
        run: { data, context in
            let tokenizer: BPETokenizer
            do { tokenizer = try BPETokenizer(tokenizerJSON: data, file: "fuzz/tokenizer.json") }
            catch { return .rejected("\(error)") }
            try exercise(tokenizer)
            try checkSavedBPE(tokenizer, context: context)
            return .loaded
        })

    /// Writes a BPE tokenizer's files and reads them back: same vocabulary, same merges.
    static func checkSavedBPE(_ tokenizer: BPETokenizer, context: Context) throws {
        let files = try tokenizer.files()
        let vocab = try context.file("vocab.json", files["vocab.json"]!)
        let merges = try context.file("merges.txt", files["merges.txt"]!)
        let again: BPETokenizer
        do { again = try BPETokenizer(vocabFile: vocab, mergesFile: merges) }
        catch { throw FuzzFinding("a BPE tokenizer that loaded cannot be read back from its saved files: \(error)") }
        guard again.vocabulary == tokenizer.vocabulary, again.merges.elementsEqual(tokenizer.merges, by: { $0 == $1 }) else {
            throw FuzzFinding("a BPE tokenizer changed when saved as vocab.json + merges.txt and read again")
        }
    }

    /// The separator between vocab.json and merges.txt inside one input of `vocab-merges`.
    static let mergesSeparator = Array("\n=====merges.txt=====\n".utf8)

    /// GPT-2's `vocab.json` + `merges.txt`, as one input: vocab bytes, the separator, merges bytes.
    static let vocabMerges = FuzzHarness(
        name: "vocab-merges", summary: "vocab.json + merges.txt (BPETokenizer(vocabFile:mergesFile:))",
        dictionary: jsonTokens + ["\"<|endoftext|>\"", "#version: 0.2\n", "Ġ t\n", "\r\n", "a b c\n", " \n", "\"Ġ\": 3"],
        seeds: {
            guard let tokenizer = try? BPETokenizer(tokenizerJSON: Data(smallBPEJSON.utf8)), let files = try? tokenizer.files() else { return [:] }
            return ["small.txt": files["vocab.json"]! + Data(mergesSeparator) + files["merges.txt"]!]
        },
        run: { data, context in
            let bytes = [UInt8](data)
            var vocabBytes = bytes[...], mergesBytes = bytes[bytes.endIndex...]
            if let cut = bytes.firstRange(of: mergesSeparator) {
                vocabBytes = bytes[..<cut.lowerBound]
                mergesBytes = bytes[cut.upperBound...]
            }
            let vocab = try context.file("vocab.json", Data(vocabBytes))
            let merges = try context.file("merges.txt", Data(mergesBytes))
            let tokenizer: BPETokenizer
            do { tokenizer = try BPETokenizer(vocabFile: vocab, mergesFile: merges) }
            catch { return .rejected("\(error)") }
            try exercise(tokenizer)
            try checkSavedBPE(tokenizer, context: context)
            return .loaded
        })
}
