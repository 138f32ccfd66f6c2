import Foundation
import Numerics

/// GPT-2's forward pass one position at a time, with a KV cache, for sampling.
///
/// Every row of the batch advances one position per call. The keys and values of earlier
/// positions are kept, so position t costs attention over t + 1 cached entries instead of a
/// full forward pass over t + 1 tokens. All buffers are allocated once, up front: the per-token
/// loop allocates nothing. No gradients are recorded.
///
/// The buffers are raw pointers owned by this object (freed in `deinit`): a per-token step is
/// short, and array accesses to a class's properties would spend much of it on bounds and
/// exclusivity checks.
public final class IncrementalForward {
    public let model: GPT2Model
    public let rows: Int
    public let capacity: Int
    let channels: Int, heads: Int, headSize: Int, vocabulary: Int
    // activations for the current position, [rows, ...]
    let x: UnsafeMutablePointer<Float>          // [rows, C]
    let normed: UnsafeMutablePointer<Float>     // [rows, C]
    let qkv: UnsafeMutablePointer<Float>        // [rows, 3C]
    let attended: UnsafeMutablePointer<Float>   // [rows, C]
    let projected: UnsafeMutablePointer<Float>  // [rows, C]
    let hidden: UnsafeMutablePointer<Float>     // [rows, 4C]
    let scores: UnsafeMutablePointer<Float>     // [capacity]
    /// Next-token logits for the position just processed, [rows, V].
    let logitsBuffer: UnsafeMutablePointer<Float>
    /// keys[layer] and values[layer]: [rows, capacity, C]
    let keys: [UnsafeMutablePointer<Float>], values: [UnsafeMutablePointer<Float>]
    /// Positions processed so far.
    public private(set) var position = 0

    public init(model: GPT2Model, rows: Int, capacity: Int) {
        precondition(capacity <= model.config.contextLength,
                     "IncrementalForward: capacity \(capacity) exceeds the context \(model.config.contextLength)")
        self.model = model
        self.rows = rows
        self.capacity = capacity
        channels = model.config.embeddingSize
        heads = model.config.headCount
        headSize = channels / heads
        vocabulary = model.config.vocabSize
        let (c, v) = (channels, vocabulary)
        x = Self.zeros(rows * c)
        normed = Self.zeros(rows * c)
        attended = Self.zeros(rows * c)
        projected = Self.zeros(rows * c)
        qkv = Self.zeros(rows * 3 * c)
        hidden = Self.zeros(rows * 4 * c)
        scores = Self.zeros(capacity)
        logitsBuffer = Self.zeros(rows * v)
        keys = model.blocks.map { _ in Self.zeros(rows * capacity * c) }
        values = model.blocks.map { _ in Self.zeros(rows * capacity * c) }
    }

    /// `count` zeros in new memory (at least one number, so that every pointer is valid).
    static func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
        return pointer
    }

    deinit {
        for pointer in [x, normed, attended, projected, qkv, hidden, scores, logitsBuffer] + keys + values {
            pointer.deallocate()
        }
    }

    /// Next-token logits for the position just processed, [rows, V] (a copy).
    public var logits: [Float] { Array(UnsafeBufferPointer(start: logitsBuffer, count: rows * vocabulary)) }

    /// Runs `body` with the logits of the position just processed, [rows, V], without copying.
    public func withLogits<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: logitsBuffer, count: rows * vocabulary))
    }

    /// Starts over at position 0 (the cache is overwritten as positions are processed again).
    public func reset() { position = 0 }

    /// Feeds one token per row at the current position and computes the next-token logits.
    public func step(tokens: [Int32]) {
        precondition(tokens.count == rows, "IncrementalForward: \(tokens.count) tokens for \(rows) rows")
        precondition(position < capacity, "IncrementalForward: position \(position) is past the capacity \(capacity)")
        let c = channels, t = position
        // x = wte[token] + wpe[t]
        model.tokenEmbedding.data.withUnsafeBufferPointer { wte in
            model.positionEmbedding.data.withUnsafeBufferPointer { wpe in
                for r in 0..<rows {
                    let token = Int(tokens[r])
                    precondition(token >= 0 && token < vocabulary, "IncrementalForward: token \(token) outside 0..<\(vocabulary)")
                    for i in 0..<c { x[r * c + i] = wte[token * c + i] + wpe[t * c + i] }
                }
            }
        }
        let epsilon = model.config.layerNormEpsilon
        for (layer, block) in model.blocks.enumerated() {
            normRows(x, into: normed, block.norm1, epsilon)
            linearRows(normed, block.attentionWeight, block.attentionBias, into: qkv, inFeatures: c)
            // store this position's key and value in the cache
            for r in 0..<rows {
                let cacheBase = (r * capacity + t) * c
                (keys[layer] + cacheBase).update(from: qkv + r * 3 * c + c, count: c)
                (values[layer] + cacheBase).update(from: qkv + r * 3 * c + 2 * c, count: c)
            }
            attendToCache(layer: layer)
            linearRows(attended, block.attentionProjWeight, block.attentionProjBias, into: projected, inFeatures: c)
            for i in 0..<(rows * c) { x[i] += projected[i] }
            normRows(x, into: normed, block.norm2, epsilon)
            linearRows(normed, block.mlpWeight, block.mlpBias, into: hidden, inFeatures: c)
            geluForward(hidden, into: hidden, count: rows * 4 * c)
            linearRows(hidden, block.mlpProjWeight, block.mlpProjBias, into: projected, inFeatures: 4 * c)
            for i in 0..<(rows * c) { x[i] += projected[i] }
        }
        normRows(x, into: normed, model.finalNorm, epsilon)
        // logits [rows, V] = normed [rows, C] . wte^T
        model.tokenEmbedding.data.withUnsafeBufferPointer { wte in
            BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: vocabulary, k: c,
                       a: normed, b: wte.baseAddress!, c: logitsBuffer)
        }
        position += 1
    }

    /// attended[r, head] = sum_s softmax_s(q . k_s / sqrt(hs)) v_s over cached positions s <= t.
    private func attendToCache(layer: Int) {
        let c = channels, t = position
        let scale = 1 / Float(headSize).squareRoot()
        let keyCache = keys[layer], valueCache = values[layer]
        for r in 0..<rows {
            for h in 0..<heads {
                let query = qkv + r * 3 * c + h * headSize
                var maxScore = -Float.infinity
                for s in 0...t {
                    let key = keyCache + (r * capacity + s) * c + h * headSize
                    var dot: Float = 0
                    for i in 0..<headSize { dot += query[i] * key[i] }
                    scores[s] = dot * scale
                    maxScore = max(maxScore, scores[s])
                }
                var total: Float = 0
                for s in 0...t { scores[s] -= maxScore }
                exp(scores, into: scores, count: t + 1)   // eight at a time (Numerics' exp)
                for s in 0...t { total += scores[s] }
                let output = attended + r * c + h * headSize
                for i in 0..<headSize { output[i] = 0 }
                for s in 0...t {
                    let weight = scores[s] / total
                    let value = valueCache + (r * capacity + s) * c + h * headSize
                    for i in 0..<headSize { output[i] += weight * value[i] }
                }
            }
        }
    }

    /// out[r] = LayerNorm(input[r]) for every row (same formula as `layerNorm`).
    private func normRows(_ input: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>,
                          _ norm: GPT2Model.LayerNormWeights, _ epsilon: Float) {
        let c = channels
        norm.weight.data.withUnsafeBufferPointer { weight in
            norm.bias.data.withUnsafeBufferPointer { bias in
                for r in 0..<rows {
                    let x = input + r * c, y = output + r * c
                    var mean: Float = 0
                    for i in 0..<c { mean += x[i] }
                    mean /= Float(c)
                    var variance: Float = 0
                    for i in 0..<c { let d = x[i] - mean; variance += d * d }
                    let rstd = 1 / (variance / Float(c) + epsilon).squareRoot()
                    for i in 0..<c { y[i] = (x[i] - mean) * rstd * weight[i] + bias[i] }
                }
            }
        }
    }

    /// out[rows, outFeatures] = input[rows, inFeatures] W + b: one sgemm for all rows.
    private func linearRows(_ input: UnsafeMutablePointer<Float>, _ weight: Tensor, _ bias: Tensor,
                            into output: UnsafeMutablePointer<Float>, inFeatures: Int) {
        let outFeatures = weight.columns
        bias.data.withUnsafeBufferPointer { b in
            for r in 0..<rows { (output + r * outFeatures).update(from: b.baseAddress!, count: outFeatures) }
        }
        weight.data.withUnsafeBufferPointer { w in
            BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: outFeatures, k: inFeatures,
                       a: input, b: w.baseAddress!, beta: 1, c: output)
        }
    }
}
