// Writing the world's data files, as committed under lessons/world/.
//
//   corpus.txt          the pre-training corpus, one line: documents joined by " <|endoftext|> "
//   sft.jsonl           SFT pairs, {"prompt": "...", "completion": "..."} one per line
//   sft-heldout.jsonl   held-out SFT pairs, same form
//   prompts-train.txt   training prompts, one question per line
//   prompts-heldout.txt held-out prompts
//   prompts-unseen.txt  unseen-topic prompts
//   vocabulary.txt      the world's words, one per line, sorted (no special tokens)
//
// Every file ends with a newline. Questions and answers are plain text without markers.
import Foundation
import GPT2

extension TinyWorld {
    /// The file names `writeFiles` writes, in order.
    public static let fileNames = [
        "corpus.txt", "sft.jsonl", "sft-heldout.jsonl", "prompts-train.txt",
        "prompts-heldout.txt", "prompts-unseen.txt", "vocabulary.txt",
    ]

    /// The text of each world file, by name.
    public static func fileContents(seed: UInt64 = defaultCorpusSeed,
                                    documents: Int = defaultCorpusDocuments) -> [String: String] {
        func lines(_ items: [String]) -> String { items.map { $0 + "\n" }.joined() }
        func jsonl(_ pairs: [(prompt: String, completion: String)]) -> String {
            lines(pairs.map {
                "{\"prompt\": \(jsonStringLiteral($0.prompt)), \"completion\": \(jsonStringLiteral($0.completion))}"
            })
        }
        return [
            "corpus.txt": generateCorpus(seed: seed, documents: documents) + "\n",
            "sft.jsonl": jsonl(sftExamples),
            "sft-heldout.jsonl": jsonl(sftHeldOutExamples),
            "prompts-train.txt": lines(trainingPrompts),
            "prompts-heldout.txt": lines(heldOutPrompts),
            "prompts-unseen.txt": lines(unseenTopicPrompts),
            "vocabulary.txt": lines(vocabulary),
        ]
    }

    /// Writes the world's files into `directory` (created if missing).
    public static func writeFiles(to directory: URL, seed: UInt64 = defaultCorpusSeed,
                                  documents: Int = defaultCorpusDocuments) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let contents = fileContents(seed: seed, documents: documents)
        for name in fileNames {
            try Data(contents[name]!.utf8).write(to: directory.appendingPathComponent(name))
        }
    }

}
