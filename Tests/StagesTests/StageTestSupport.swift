import Foundation
import Numerics
import GPT2
import Stages

/// A word tokenizer whose words are t2 ... t(V-1), so token id i is the text "ti":
/// it turns the fixtures' token ids into text and back exactly.
func numberedTokenizer(vocabularySize: Int) -> WordTokenizer {
    try! WordTokenizer(words: (3..<vocabularySize).map { "t\($0)" }, specialTokens: ["<|endoftext|>", "<pad>"],
                       unknownToken: "t2")
}

func text(_ ids: [Int32]) -> String { ids.map { "t\($0)" }.joined(separator: " ") }

func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../GPT2Tests/Fixtures/\(name)").standardized
}

func loadFixtureModel(_ name: String) throws -> GPT2Model {
    let (config, tensors) = try Checkpoint.load(directory: fixtureURL(name))
    return try GPT2Model(config: config, tensors: tensors)
}

/// A small world for stage tests: 20 words, a random tiny GPT-2.
let smallWords = ["how", "do", "i", "make", "tea", "bread", "sure", "heat", "water", "knead", "dough",
                  "go", "away", "blah", ".", "!", "?", ",", "and", "the"]

func smallTokenizer() -> WordTokenizer { try! WordTokenizer(words: smallWords) }

func smallModel(seed: UInt64 = 1, layers: Int = 1) -> GPT2Model {
    let config = GPT2Config(vocabSize: smallTokenizer().vocabularySize, contextLength: 24, embeddingSize: 16,
                            layerCount: layers, headCount: 2, bosTokenId: 0, eosTokenId: 0, padTokenId: 1)
    return GPT2Model(config: config, seed: seed)
}

func smallEncoder() -> Encoder {
    Encoder(tokenizer: smallTokenizer(), format: PromptFormat(template: "<q> {prompt} <a>"), maxLength: 24)
}

/// A labeler for tests: +1 for each word of the prompt's topic ("tea" or "bread") that the
/// response repeats, -2 for "away" or "blah".
struct CountingLabeler: Labeler {
    let name = "counting-labeler"
    func judge(prompt: String, response: String) -> Judgement {
        let words = response.split(separator: " ").map(String.init)
        let topic = prompt.contains("tea") ? "tea" : "bread"
        var score = Double(words.filter { $0 == topic }.count)
        if words.contains("away") || words.contains("blah") { score -= 2 }
        return Judgement(score: score, reasons: ["topic words \(score)"], isHelpful: score > 0)
    }
}

let samplePairs = [
    Comparison(prompt: "how do i make tea ?", chosen: "sure ! heat water .", rejected: "go away .", labeler: "test"),
    Comparison(prompt: "how do i make bread ?", chosen: "knead the dough .", rejected: "blah blah", labeler: "test"),
    Comparison(prompt: "tea ?", chosen: "heat water and tea .", rejected: "blah .", labeler: "test"),
]
