/// A batch of token rows, right-padded to a common length.
///
/// How a prompt and a response become one row (the same everywhere: SFT, sampling, log-probs,
/// reward model, PPO, DPO):
///
///     [prompt tokens] [response tokens] [EOS] [pad pad ...]
///      0 ..< promptLength              length-1 ..< time
///
/// Logits at position t predict the token at t + 1, so the response's log-probability sums
/// log p(token_j | tokens before j) for j in promptLength ..< length (the EOS included).
/// The reward model reads its score at position length - 1, the EOS.
public struct TokenBatch: Sendable {
    /// [rows * time] token ids, row-major, padded with `padToken`.
    public var tokens: [Int32]
    public let rows: Int
    public let time: Int
    /// Real tokens in each row (prompt + response + EOS).
    public let lengths: [Int]
    /// Prompt tokens at the start of each row (0 for plain text rows).
    public let promptLengths: [Int]

    public init(tokens: [Int32], rows: Int, time: Int, lengths: [Int], promptLengths: [Int]) {
        precondition(tokens.count == rows * time && lengths.count == rows && promptLengths.count == rows,
                     "TokenBatch: \(tokens.count) tokens for \(rows) rows of \(time)")
        self.tokens = tokens
        self.rows = rows
        self.time = time
        self.lengths = lengths
        self.promptLengths = promptLengths
    }

    /// Joins each (prompt, response) pair as [prompt] [response] [EOS] and right-pads.
    /// Rows longer than `maxLength` keep their first `maxLength` tokens.
    public init(prompts: [[Int32]], responses: [[Int32]], eos: Int32, pad: Int32, maxLength: Int) {
        precondition(prompts.count == responses.count, "TokenBatch: \(prompts.count) prompts, \(responses.count) responses")
        let joined = zip(prompts, responses).map { Array(($0 + $1 + [eos]).prefix(maxLength)) }
        let time = max(1, joined.map(\.count).max() ?? 1)
        var tokens = [Int32](repeating: pad, count: joined.count * time)
        for (row, sequence) in joined.enumerated() {
            for (t, token) in sequence.enumerated() { tokens[row * time + t] = token }
        }
        self.init(tokens: tokens, rows: joined.count, time: time, lengths: joined.map(\.count),
                  promptLengths: prompts.map { min($0.count, maxLength) })
    }

    /// Plain rows of equal length (pre-training windows): no prompt, no padding.
    public init(rows: [[Int32]]) {
        let time = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == time }, "TokenBatch(rows:): rows differ in length")
        self.init(tokens: rows.flatMap { $0 }, rows: rows.count, time: time,
                  lengths: [Int](repeating: time, count: rows.count),
                  promptLengths: [Int](repeating: 0, count: rows.count))
    }

    /// The next-token targets: target[t] = token[t + 1] (pad at the last position).
    public var nextTokenTargets: [Int32] {
        var targets = [Int32](repeating: 0, count: tokens.count)
        for row in 0..<rows {
            for t in 0..<(time - 1) { targets[row * time + t] = tokens[row * time + t + 1] }
        }
        return targets
    }

    /// 1 where position t's prediction (of token t + 1) is a response token, else 0.
    public var responseMask: [Float] {
        var mask = [Float](repeating: 0, count: tokens.count)
        for row in 0..<rows {
            let start = max(promptLengths[row], 1)
            for j in start..<lengths[row] { mask[row * time + j - 1] = 1 }
        }
        return mask
    }

    /// 1 where position t's prediction is a real token (t + 1 < length), else 0.
    public var tokenMask: [Float] {
        var mask = [Float](repeating: 0, count: tokens.count)
        for row in 0..<rows { for t in 0..<max(0, lengths[row] - 1) { mask[row * time + t] = 1 } }
        return mask
    }
}

extension TokenBatch {
    /// Rows that are already joined (e.g. prompt + sampled response, EOS included only if it was
    /// sampled), right-padded with `pad`.
    public init(sequences: [[Int32]], promptLengths: [Int], pad: Int32) {
        let time = max(1, sequences.map(\.count).max() ?? 1)
        var tokens = [Int32](repeating: pad, count: sequences.count * time)
        for (row, sequence) in sequences.enumerated() {
            for (t, token) in sequence.enumerated() { tokens[row * time + t] = token }
        }
        self.init(tokens: tokens, rows: sequences.count, time: time, lengths: sequences.map(\.count),
                  promptLengths: promptLengths)
    }

    /// For each row, the flat positions whose logits predict the response tokens:
    /// row * time + j - 1 for j in promptLength ..< length.
    public var responsePredictionPositions: [[Int]] {
        (0..<rows).map { row in
            let start = max(promptLengths[row], 1)
            return (start..<lengths[row]).map { row * time + $0 - 1 }
        }
    }
}
