import Foundation
import Testing
import GPT2

@Suite struct WordTokenizerTests {
    /// Every case in word-tokenizer-expected.json, made with Hugging Face `tokenizers`.
    @Test func matchesHuggingFaceFixture() throws {
        let tokenizer = try WordTokenizer(contentsOf: fixtureURL("word-tokenizer/tokenizer.json"))
        let expected = try fixtureJSON("word-tokenizer-expected.json")
        #expect(tokenizer.vocabulary == expected["vocab"] as! [String])
        #expect(tokenizer.eosTokenId == 0 && tokenizer.padTokenId == 1)
        for testCase in expected["cases"] as! [[String: Any]] {
            let text = testCase["text"] as! String
            let ids = (testCase["ids"] as! [Int]).map(Int32.init)
            #expect(tokenizer.encode(text) == ids, "\(text.debugDescription)")
            #expect(ids.map { tokenizer.token(for: $0)! } == testCase["tokens"] as! [String])
            #expect(tokenizer.decode(ids) == testCase["decoded"] as! String)
            #expect(tokenizer.decode(ids, skipSpecialTokens: true) == testCase["decoded_skip_special"] as! String)
        }
    }

    /// Built from a word list, the lessons' tokenizer equals the fixture tokenizer and writes the same file.
    @Test func wordListConstructorMatchesFixture() throws {
        let fixture = try WordTokenizer(contentsOf: fixtureURL("word-tokenizer/tokenizer.json"))
        let words = Array(fixture.vocabulary.dropFirst(5))
        let built = try WordTokenizer(words: words)
        #expect(built == fixture)
        let fixtureText = try String(contentsOf: fixtureURL("word-tokenizer/tokenizer.json"), encoding: .utf8)
        #expect(String(decoding: built.tokenizerJSON(), as: UTF8.self) == fixtureText)
    }

    /// The words that become <unk>, in order and each once; added tokens and known words are not among them.
    @Test func namesUnknownWords() throws {
        let tokenizer = try WordTokenizer(words: ["tea", "?", "how"])
        #expect(tokenizer.unknownWords(in: "<q>xyzzy how tea? xyzzy 2<a>") == ["xyzzy", "2"])
        #expect(tokenizer.unknownWords(in: "how tea ?").isEmpty)
        let ids = tokenizer.encode("xyzzy tea")
        #expect(tokenizer.token(for: ids[0]) == tokenizer.unknownToken)
    }

    @Test func roundTripThroughTokenizerJSON() throws {
        for preTokenizer in [WordPreTokenizer.whitespace, .whitespaceSplitPunctuation] {
            let tokenizer = try WordTokenizer(words: ["a", "b", "quote\"back\\slash", "é"], preTokenizer: preTokenizer)
            let back = try WordTokenizer(tokenizerJSON: tokenizer.tokenizerJSON())
            #expect(back == tokenizer)
        }
    }

    @Test func whitespacePreTokenizerGroupsPunctuation() throws {
        #expect(WordPreTokenizer.whitespace.split("tea?!... yes don't") == ["tea", "?!...", "yes", "don", "'", "t"])
        #expect(WordPreTokenizer.whitespaceSplitPunctuation.split("tea?!... yes\u{00A0}don't")
                == ["tea", "?", "!", ".", ".", ".", "yes", "don", "'", "t"])
        #expect(WordPreTokenizer.whitespaceSplitPunctuation.split("a$b+c") == ["a", "$", "b", "+", "c"])
    }

    @Test func unknownIdsDecodeAsReplacementCharacter() throws {
        let tokenizer = try WordTokenizer(words: ["tea"])
        #expect(tokenizer.decode([5, 99, -1]) == "tea \u{FFFD} \u{FFFD}")
        #expect(tokenizer.token(for: 99) == nil)
        #expect(tokenizer.id(for: "tea") == 5)
    }

    @Test func constructorRejectsDuplicatesAndEmptyWords() {
        #expect(thrownError { _ = try WordTokenizer(words: ["tea", "tea"]) } is TokenizerError)
        #expect(thrownError { _ = try WordTokenizer(words: ["<q>"]) } is TokenizerError)
        #expect(thrownError { _ = try WordTokenizer(words: [""]) } is TokenizerError)
        #expect(thrownError { _ = try WordTokenizer(words: ["a"], specialTokens: ["<pad>"]) } is TokenizerError)
    }

    /// Each malformed tokenizer.json throws one line naming the file and the problem.
    @Test(arguments: [
        ("not json", "not a valid JSON object"),
        ("{\"model\": {\"type\": \"Unigram\"}}", "model.type"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 0}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "gives id 0 to both"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 2}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "without gaps"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": \"1\"}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "not an integer"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": true}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "not an integer"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}, \"unk_token\": \"b\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "unk_token"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "unk_token"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "0 tokens"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": [\"a\"], \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "model.vocab"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"x\": 0, \"a\": 1}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}}", "end-of-text"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Metaspace\"}}", "pre_tokenizer"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"normalizer\": {\"type\": \"Lowercase\"}}", "normalizer"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"added_tokens\": [{\"id\": 1, \"content\": \"<|endoftext|>\"}]}", "added_tokens[0]"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"added_tokens\": [{\"id\": 7}]}", "added_tokens[0]"),
        ("{\"model\": {\"type\": \"WordLevel\", \"vocab\": {\"<|endoftext|>\": 0, \"a\": 1}, \"unk_token\": \"a\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"added_tokens\": 3}", "added_tokens"),
    ])
    func rejectsMalformedTokenizerJSON(json: String, phrase: String) {
        let error = thrownError { _ = try WordTokenizer(tokenizerJSON: Data(json.utf8), file: "t.json") } as? TokenizerError
        let message = error?.description ?? "accepted"
        #expect(message.hasPrefix("t.json: "), "\(message)")
        #expect(message.contains(phrase), "\(message)")
        #expect(!message.contains("\n"))
    }
}
