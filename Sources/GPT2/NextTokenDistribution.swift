import Foundation
import Numerics

/// How the next token is chosen from the model's logits.
public struct SamplingSettings: Sendable, Equatable {
    /// Divides the logits: below 1 sharpens the distribution, above 1 flattens it; 0 is greedy.
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0 = keep all).
    public var topK: Int = 0
    /// Keep the most likely tokens whose probabilities add up to at least p (1 = keep all).
    public var topP: Float = 1
    /// Stop after this many new tokens if no EOS came.
    public var maxNewTokens: Int = 40

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, maxNewTokens: Int = 40) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
    }
}

/// The next-token distribution at each stage of processing, for "why this token" displays.
public struct NextTokenDistribution: Sendable {
    /// softmax(logits): the model's own distribution.
    public let original: [Float]
    /// softmax(logits / temperature).
    public let tempered: [Float]
    /// After top-k and top-p: removed tokens get 0, the rest are renormalised.
    public let final: [Float]
}

/// Applies temperature, then top-k, then top-p, in the order Hugging Face's `generate` does:
///   tempered = softmax(logits / T)
///   top-k: drop tokens whose logit is below the k-th largest (ties at the k-th are kept)
///   top-p: sort by probability; drop the least likely tokens while their cumulative
///          probability stays <= 1 - p (the most likely token is always kept)
/// Temperature 0 means greedy: all mass on the largest logit (the first one on ties).
/// Returns log sum_j exp(logits_j / T) (T = 1 when greedy), the log-normalizer of the tempered
/// distribution: log softmax(logits / T)[i] = logits_i / T - that.
@discardableResult
public func processNextToken(logits: UnsafePointer<Float>, count: Int, settings: SamplingSettings,
                             into final: UnsafeMutablePointer<Float>) -> Float {
    if settings.temperature == 0 {
        var best = 0
        for i in 1..<count where logits[i] > logits[best] { best = i }
        for i in 0..<count { final[i] = i == best ? 1 : 0 }
        return logSumExp(logits, count)
    }
    let inverseTemperature = 1 / settings.temperature
    var maxLogit = -Float.infinity
    for i in 0..<count { maxLogit = max(maxLogit, logits[i]) }
    var threshold = -Float.infinity
    if settings.topK > 0 && settings.topK < count {
        // the k-th largest logit
        var sorted = Array(UnsafeBufferPointer(start: logits, count: count))
        sorted.sort(by: >)
        threshold = sorted[settings.topK - 1]
    }
    var total: Float = 0, temperedTotal: Float = 0   // sum of exp over kept tokens, over all tokens
    // e_i = exp((logit_i - max) / T), eight exps at a time (Numerics' exp), then summed in order
    for i in 0..<count { final[i] = (logits[i] - maxLogit) * inverseTemperature }
    exp(final, into: final, count: count)
    for i in 0..<count {
        let e = final[i]
        temperedTotal += e
        final[i] = logits[i] >= threshold ? e : 0
        total += final[i]
    }
    for i in 0..<count { final[i] /= total }
    let logNormalizer = maxLogit * inverseTemperature + Foundation.log(temperedTotal)
    if settings.topP < 1 {
        let order = (0..<count).sorted { final[$0] < final[$1] || (final[$0] == final[$1] && $0 > $1) }
        var cumulative: Float = 0
        var removed: Float = 0
        for (rank, i) in order.enumerated() where rank < count - 1 {
            cumulative += final[i]
            if cumulative <= 1 - settings.topP {
                removed += final[i]
                final[i] = 0
            } else { break }
        }
        if removed > 0 {
            let scale = 1 / (1 - removed)
            for i in 0..<count { final[i] *= scale }
        }
    }
    return logNormalizer
}

/// All three distributions for one row of logits (allocates; for displays, not for the sampler loop).
public func nextTokenDistribution(logits: [Float], settings: SamplingSettings) -> NextTokenDistribution {
    var original = [Float](repeating: 0, count: logits.count)
    var tempered = original, final = original
    logits.withUnsafeBufferPointer { l in
        original.withUnsafeMutableBufferPointer { _ = softmaxRow(l.baseAddress!, $0.baseAddress!, logits.count) }
        var temperatureOnly = settings
        temperatureOnly.topK = 0
        temperatureOnly.topP = 1
        tempered.withUnsafeMutableBufferPointer {
            _ = processNextToken(logits: l.baseAddress!, count: logits.count, settings: temperatureOnly, into: $0.baseAddress!)
        }
        final.withUnsafeMutableBufferPointer {
            _ = processNextToken(logits: l.baseAddress!, count: logits.count, settings: settings, into: $0.baseAddress!)
        }
    }
    return NextTokenDistribution(original: original, tempered: tempered, final: final)
}
