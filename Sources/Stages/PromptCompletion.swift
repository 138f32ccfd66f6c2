import Foundation
import GPT2

/// One supervised example in TRL's prompt-completion form: `{"prompt": ..., "completion": ...}`.
public struct PromptCompletion: Codable, Sendable, Equatable {
    public var prompt: String
    public var completion: String
    public init(prompt: String, completion: String) {
        self.prompt = prompt
        self.completion = completion
    }
}

/// How a plain prompt becomes the text the model reads, e.g. `<q> {prompt} <a>` in the tiny
/// world, or `{prompt}` (unchanged) for a plain GPT-2.
public struct PromptFormat: Sendable, Equatable {
    public var template: String
    public init(template: String = "{prompt}") { self.template = template }
    public func apply(_ prompt: String) -> String { template.replacingOccurrences(of: "{prompt}", with: prompt) }
}

/// An error in a data file, one line: `sft.jsonl:3: "completion" is missing`.
public struct DataFileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The bytes of a JSONL data file: a regular file of at most 256 MB, checked before reading.
func readDataFile(_ url: URL) throws -> Data {
    do {
        return try BoundedFile.read(url, limit: 256 << 20)
    } catch let error as BoundedFile.ReadError {
        throw DataFileError("\(error)")
    }
}

/// Reads prompt-completion JSONL (one JSON object per line; blank lines are skipped).
/// Any bad line is an error naming the file and line; nothing is half-loaded.
public func loadPromptCompletions(from url: URL) throws -> [PromptCompletion] {
    let name = url.lastPathComponent
    let data = try readDataFile(url)
    guard let text = String(data: data, encoding: .utf8) else { throw DataFileError("\(name): not UTF-8 text") }
    var examples: [PromptCompletion] = []
    for (index, line) in textLines(text).enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
            throw DataFileError("\(name):\(index + 1): not a JSON object")
        }
        guard let prompt = object["prompt"] as? String else { throw DataFileError("\(name):\(index + 1): \"prompt\" is missing or not a string") }
        guard let completion = object["completion"] as? String else { throw DataFileError("\(name):\(index + 1): \"completion\" is missing or not a string") }
        examples.append(PromptCompletion(prompt: prompt, completion: completion))
    }
    return examples
}

/// Encodes prompts and responses and joins them as [prompt][response][EOS] rows.
public struct Encoder: Sendable {
    public let tokenizer: any Tokenizer
    public let format: PromptFormat
    public let maxLength: Int

    public init(tokenizer: any Tokenizer, format: PromptFormat, maxLength: Int) {
        self.tokenizer = tokenizer
        self.format = format
        self.maxLength = maxLength
    }

    public var eos: Int32 { tokenizer.eosTokenId }
    public var pad: Int32 { tokenizer.padTokenId ?? tokenizer.eosTokenId }

    public func prompt(_ text: String) -> [Int32] { tokenizer.encode(format.apply(text)) }
    public func response(_ text: String) -> [Int32] { tokenizer.encode(text) }

    public func batch(prompts: [String], responses: [String]) -> TokenBatch {
        TokenBatch(prompts: prompts.map(prompt), responses: responses.map(response), eos: eos, pad: pad, maxLength: maxLength)
    }

    public func batch(prompts: [[Int32]], responses: [[Int32]]) -> TokenBatch {
        TokenBatch(prompts: prompts, responses: responses, eos: eos, pad: pad, maxLength: maxLength)
    }

    /// Response text without the EOS token.
    public func text(_ response: [Int32]) -> String {
        tokenizer.decode(response.last == eos ? Array(response.dropLast()) : response)
    }
}
