import Foundation
import Numerics

/// GPT-2's forward pass one position at a time, with a KV cache, for sampling.
///
/// Every row of the batch advances one position per call. The keys and values of earlier
/// positions are kept, so position t costs attention over t + 1 cached entries instead of a
/// full forward pass over t + 1 tokens. All buffers are allocated once, up front: the per-token
/// loop allocates nothing. No gradients are recorded.
public final class IncrementalForward {
    public let model: GPT2Model
    public let rows: Int
    public let capacity: Int
    let channels: Int, heads: Int, headSize: Int, vocabulary: Int
    // activations for the current position, [rows, ...]
    var x: [Float], normed: [Float], qkv: [Float], attended: [Float], projected: [Float], hidden: [Float]
    var scores: [Float]
    /// Next-token logits for the position just processed, [rows, V].
    public private(set) var logits: [Float]
    /// keys[layer] and values[layer]: [rows, capacity, C]
    var keys: [[Float]], values: [[Float]]
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
        x = [Float](repeating: 0, count: rows * channels)
        normed = x
        attended = x
        projected = x
        qkv = [Float](repeating: 0, count: rows * 3 * channels)
        hidden = [Float](repeating: 0, count: rows * 4 * channels)
        scores = [Float](repeating: 0, count: capacity)
        logits = [Float](repeating: 0, count: rows * vocabulary)
        keys = [[Float]](repeating: [Float](repeating: 0, count: rows * capacity * channels), count: model.blocks.count)
        values = keys
    }

    /// Starts over at position 0 (the cache is overwritten as positions are processed again).
    public func reset() { position = 0 }

    /// Feeds one token per row at the current position and computes the next-token logits.
    public func step(tokens: [Int32]) {
        precondition(tokens.count == rows, "IncrementalForward: \(tokens.count) tokens for \(rows) rows")
        precondition(position < capacity, "IncrementalForward: position \(position) is past the capacity \(capacity)")
        let c = channels, t = position
        let wte = model.tokenEmbedding.data, wpe = model.positionEmbedding.data
        for r in 0..<rows {
            let token = Int(tokens[r])
            for i in 0..<c { x[r * c + i] = wte[token * c + i] + wpe[t * c + i] }
        }
        let epsilon = model.config.layerNormEpsilon
        for (layer, block) in model.blocks.enumerated() {
            normRows(x, into: &normed, block.norm1, epsilon)
            linearRows(normed, block.attentionWeight, block.attentionBias, into: &qkv, inFeatures: c)
            // store this position's key and value in the cache
            for r in 0..<rows {
                let cacheBase = (r * capacity + t) * c
                for i in 0..<c {
                    keys[layer][cacheBase + i] = qkv[r * 3 * c + c + i]
                    values[layer][cacheBase + i] = qkv[r * 3 * c + 2 * c + i]
                }
            }
            attendToCache(layer: layer)
            linearRows(attended, block.attentionProjWeight, block.attentionProjBias, into: &projected, inFeatures: c)
            for i in 0..<(rows * c) { x[i] += projected[i] }
            normRows(x, into: &normed, block.norm2, epsilon)
            linearRows(normed, block.mlpWeight, block.mlpBias, into: &hidden, inFeatures: c)
            for i in 0..<hidden.count { hidden[i] = geluForward(hidden[i]) }
            linearRows(hidden, block.mlpProjWeight, block.mlpProjBias, into: &projected, inFeatures: 4 * c)
            for i in 0..<(rows * c) { x[i] += projected[i] }
        }
        normRows(x, into: &normed, model.finalNorm, epsilon)
        // logits [rows, V] = normed [rows, C] . wte^T
        normed.withUnsafeBufferPointer { a in
            wte.withUnsafeBufferPointer { b in
                logits.withUnsafeMutableBufferPointer { out in
                    BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: vocabulary, k: c,
                               a: a.baseAddress!, b: b.baseAddress!, c: out.baseAddress!)
                }
            }
        }
        position += 1
    }

    /// attended[r, head] = sum_s softmax_s(q . k_s / sqrt(hs)) v_s over cached positions s <= t.
    private func attendToCache(layer: Int) {
        let c = channels, t = position
        let scale = 1 / Float(headSize).squareRoot()
        keys[layer].withUnsafeBufferPointer { keyCache in
            values[layer].withUnsafeBufferPointer { valueCache in
                for r in 0..<rows {
                    for h in 0..<heads {
                        let queryBase = r * 3 * c + h * headSize
                        var maxScore = -Float.infinity
                        for s in 0...t {
                            let keyBase = (r * capacity + s) * c + h * headSize
                            var dot: Float = 0
                            for i in 0..<headSize { dot += qkv[queryBase + i] * keyCache[keyBase + i] }
                            scores[s] = dot * scale
                            maxScore = max(maxScore, scores[s])
                        }
                        var total: Float = 0
                        for s in 0...t {
                            scores[s] = Foundation.exp(scores[s] - maxScore)
                            total += scores[s]
                        }
                        let outBase = r * c + h * headSize
                        for i in 0..<headSize { attended[outBase + i] = 0 }
                        for s in 0...t {
                            let weight = scores[s] / total
                            let valueBase = (r * capacity + s) * c + h * headSize
                            for i in 0..<headSize { attended[outBase + i] += weight * valueCache[valueBase + i] }
                        }
                    }
                }
            }
        }
    }

    /// out[r] = LayerNorm(input[r]) for every row (same formula as `layerNorm`).
    private func normRows(_ input: [Float], into output: inout [Float], _ norm: GPT2Model.LayerNormWeights, _ epsilon: Float) {
        let c = channels
        for r in 0..<rows {
            var mean: Float = 0
            for i in 0..<c { mean += input[r * c + i] }
            mean /= Float(c)
            var variance: Float = 0
            for i in 0..<c { let d = input[r * c + i] - mean; variance += d * d }
            let rstd = 1 / (variance / Float(c) + epsilon).squareRoot()
            for i in 0..<c {
                output[r * c + i] = (input[r * c + i] - mean) * rstd * norm.weight.data[i] + norm.bias.data[i]
            }
        }
    }

    /// out[rows, outFeatures] = input[rows, inFeatures] W + b: one sgemm for all rows.
    private func linearRows(_ input: [Float], _ weight: Tensor, _ bias: Tensor, into output: inout [Float], inFeatures: Int) {
        let outFeatures = weight.columns
        for r in 0..<rows { for o in 0..<outFeatures { output[r * outFeatures + o] = bias.data[o] } }
        input.withUnsafeBufferPointer { a in
            weight.data.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { out in
                    BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: outFeatures, k: inFeatures,
                               a: a.baseAddress!, b: w.baseAddress!, beta: 1, c: out.baseAddress!)
                }
            }
        }
    }
}
