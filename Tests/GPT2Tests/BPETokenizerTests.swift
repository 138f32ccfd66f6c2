import Foundation
import Testing
import GPT2

@Suite struct BPETokenizerTests {
    static func expectedCases() throws -> [[String: Any]] {
        try fixtureJSON("bpe-tokenizer-expected.json")["cases"] as! [[String: Any]]
    }

    /// Every case in bpe-tokenizer-expected.json (GPT2TokenizerFast), from both file formats.
    @Test func matchesHuggingFaceFixture() throws {
        let fromVocab = try BPETokenizer(vocabFile: fixtureURL("bpe-tokenizer/vocab.json"),
                                         mergesFile: fixtureURL("bpe-tokenizer/merges.txt"))
        let fromJSON = try BPETokenizer(tokenizerJSON: fixtureData("bpe-tokenizer/tokenizer.json"))
        for tokenizer in [fromVocab, fromJSON] {
            #expect(tokenizer.vocabularySize == 393 && tokenizer.merges.count == 136)
            #expect(tokenizer.eosTokenId == 0)
            for testCase in try BPETokenizerTests.expectedCases() {
                let text = testCase["text"] as! String
                let ids = (testCase["ids"] as! [Int]).map(Int32.init)
                #expect(tokenizer.encode(text) == ids, "\(text.debugDescription)")
                #expect(tokenizer.decode(ids) == testCase["decoded"] as! String)
                if let tokens = testCase["tokens"] as? [String] {
                    #expect(ids.map { tokenizer.token(for: $0)! } == tokens)
                }
            }
        }
    }

    @Test func loadTokenizerPicksTheRightKind() throws {
        #expect(try loadTokenizer(directory: fixtureURL("bpe-tokenizer")) is BPETokenizer)
        #expect(try loadTokenizer(directory: fixtureURL("word-tokenizer")) is WordTokenizer)
        #expect(thrownError { _ = try loadTokenizer(directory: fixtureURL("tiny-lm")) } is TokenizerError)
    }

    /// GPT-2's pattern, alternative by alternative.
    @Test func preTokenizationFollowsGPT2Pattern() {
        #expect(ByteLevel.preTokenize("don't stop  now") == ["don", "'t", " stop", " ", " now"])
        #expect(ByteLevel.preTokenize("I'm 42!? ok\n\nend  ") == ["I", "'m", " 42", "!?", " ok", "\n", "\n", "end", "  "])
        #expect(ByteLevel.preTokenize(" 'quoted' x") == [" '", "quoted", "'", " x"])
        #expect(ByteLevel.preTokenize("\t a") == ["\t", " a"])
        #expect(ByteLevel.preTokenize("") == [])
        #expect(ByteLevel.preTokenize(" ") == [" "])
    }

    @Test func byteTableIsABijection() {
        #expect(Set(ByteLevel.byteToCharacter).count == 256)
        #expect(ByteLevel.byteToCharacter[32] == "\u{0120}")   // space -> Ġ
        #expect(ByteLevel.byteToCharacter[10] == "\u{010A}")   // newline -> Ċ
        #expect(ByteLevel.byteToCharacter[65] == "A")
    }

    @Test func roundTripsArbitraryText() throws {
        let tokenizer = try BPETokenizer(vocabFile: fixtureURL("bpe-tokenizer/vocab.json"),
                                         mergesFile: fixtureURL("bpe-tokenizer/merges.txt"))
        for text in ["", "The kettle 🍵\u{0301} sang: ἀρχή 日本語 \r\n\t  ", "<|endoftext|><|endoftext|>x", "a\u{0000}b"] {
            #expect(tokenizer.decode(tokenizer.encode(text)) == text, "\(text.debugDescription)")
        }
    }

    /// Invalid UTF-8 byte sequences decode to U+FFFD, like Python's errors="replace".
    @Test func invalidUTF8DecodesToReplacementCharacters() throws {
        let tokenizer = try BPETokenizer(tokenizerJSON: fixtureData("bpe-tokenizer/tokenizer.json"))
        let emoji = tokenizer.encode("🍵")   // 4 bytes: F0 9F 8D B5
        #expect(tokenizer.decode(Array(emoji.prefix(1))) == "\u{FFFD}")
        #expect(tokenizer.decode([tokenizer.id(for: "\u{00A2}")!, tokenizer.id(for: "A")!]) == "\u{FFFD}A")  // lone continuation byte 0xA2
        #expect(tokenizer.decode([-5, 100_000]) == "\u{FFFD}\u{FFFD}")
        #expect(tokenizer.decode([0, tokenizer.id(for: "A")!], skipSpecialTokens: true) == "A")
    }

    /// Broken byte sequences, with the scalars Hugging Face's decode gave for the same ids
    /// (checked by hand with transformers 5.24: AutoTokenizer on Fixtures/bpe-tokenizer).
    @Test(arguments: [
        ([173, 254, 236], [0xFFFD]),
        ([254, 173, 65], [0xFFFD, 0xFFFD, 0x61]),
        ([173, 65, 236, 114], [0xFFFD, 0x61, 0xFFFD, 0xFFFD]),
        ([236, 236, 173, 254, 236, 114, 173], [0xFFFD, 0xFFFD, 0x1F375, 0xFFFD]),
    ] as [([Int32], [UInt32])])
    func invalidUTF8MatchesHuggingFace(ids: [Int32], scalars: [UInt32]) throws {
        let tokenizer = try BPETokenizer(tokenizerJSON: fixtureData("bpe-tokenizer/tokenizer.json"))
        #expect(tokenizer.decode(ids).unicodeScalars.map(\.value) == scalars)
    }

    @Test func writtenFilesLoadBack() throws {
        let tokenizer = try BPETokenizer(tokenizerJSON: fixtureData("bpe-tokenizer/tokenizer.json"))
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        for (name, data) in try tokenizer.files() { try AtomicFile.write(data, to: folder.appendingPathComponent(name)) }
        let back = try loadTokenizer(directory: folder)
        let text = "The kettle sang on the stove. don't 🍵"
        #expect(back.encode(text) == tokenizer.encode(text))
        #expect(try String(contentsOf: folder.appendingPathComponent("merges.txt"), encoding: .utf8)
                == String(contentsOf: fixtureURL("bpe-tokenizer/merges.txt"), encoding: .utf8))
    }

    @Test(arguments: [
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "ByteLevel"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0}, \"merges\": [\"a\"]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "merges[0]"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0}, \"merges\": [[\"a\", 3]]}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "merges[0]"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0}}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "model.merges"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "<|endoftext|>"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0}, \"merges\": [], \"dropout\": 0.1}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "dropout"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true}}", "add_prefix_space"),
        ("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"<|endoftext|>\": 0, \"b\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}}", "both"),
    ])
    func rejectsMalformedTokenizerJSON(json: String, phrase: String) {
        let error = thrownError { _ = try BPETokenizer(tokenizerJSON: Data(json.utf8), file: "t.json") } as? TokenizerError
        let message = error?.description ?? "accepted"
        #expect(message.hasPrefix("t.json: ") && message.contains(phrase), "\(message)")
    }

    @Test func rejectsMalformedMergesFile() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let vocab = folder.appendingPathComponent("vocab.json"), merges = folder.appendingPathComponent("merges.txt")
        try Data("{\"<|endoftext|>\": 0, \"a\": 1}".utf8).write(to: vocab)
        try Data("#version: 0.2\na a a\n".utf8).write(to: merges)
        let error = thrownError { _ = try BPETokenizer(vocabFile: vocab, mergesFile: merges) }
        #expect("\(error!)".contains("line 2"))
        try Data([0x61, 0x20, 0xFF]).write(to: merges)
        #expect("\(thrownError { _ = try BPETokenizer(vocabFile: vocab, mergesFile: merges) }!)".contains("UTF-8"))
    }
}
