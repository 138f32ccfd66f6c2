import Foundation
import GPT2
import Stages
import TinyWorld

/// The tiny world's data as the pipeline verbs use it.
extension PipelineState {
    /// The pre-training corpus as tokens: lessons/world/corpus.txt if it is there, otherwise
    /// regenerated from the world's seeded generator (the same text).
    func corpusTokens() throws -> [Int32] {
        let key = "\(tokenizer.vocabularySize)"
        if let cached = corpusCache, cached.key == key { return cached.tokens }
        let text: String
        if let url = LabPaths.lessons?.appendingPathComponent("world/corpus.txt"),
           let data = FileManager.default.contents(atPath: url.path) {
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = TinyWorld.generateCorpus(seed: TinyWorld.defaultCorpusSeed, documents: TinyWorld.defaultCorpusDocuments)
        }
        let tokens = tokenizer.encode(text)
        corpusCache = (key, tokens)
        return tokens
    }

    /// The SFT examples: the world's few hand-written pairs, or a JSONL file.
    func sftExamples(file: String?) throws -> [PromptCompletion] {
        if let file { return try loadPromptCompletions(from: URL(fileURLWithPath: file)) }
        return TinyWorld.sftExamples.map { PromptCompletion(prompt: $0.prompt, completion: $0.completion) }
    }

    var sftHeldOutExamples: [PromptCompletion] {
        TinyWorld.sftHeldOutExamples.map { PromptCompletion(prompt: $0.prompt, completion: $0.completion) }
    }

    /// A prompt set by name: train (policy optimisation), heldout (new phrasings of the same
    /// topics), unseen (topics no stage trains on), sft (the SFT prompts).
    static func prompts(_ name: String) -> [String] {
        switch name {
        case "unseen": return TinyWorld.unseenTopicPrompts
        case "train": return TinyWorld.trainingPrompts
        case "sft": return TinyWorld.sftPrompts
        default: return TinyWorld.heldOutPrompts
        }
    }
}
