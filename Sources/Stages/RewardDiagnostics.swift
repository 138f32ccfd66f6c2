import Foundation

/// Where a reward model is right and where it is blind, measured on comparisons the labeler
/// scored (`Comparison.chosenScore` and `rejectedScore`):
///   - accuracy by how clearly the labeler preferred one answer (InstructGPT observed that
///     agreement grows with the gap: Ouyang et al. 2022, and so does a reward model's accuracy);
///   - the correlation of the reward with the answer's length in words (longer answers scoring
///     higher is a known reward-model bias: Singhal et al. 2023, "A Long Way to Go");
///   - the pairs it ranks worst: the most negative margin r_chosen - r_rejected.
public struct RewardDiagnostics: Sendable {
    public struct GapBucket: Sendable {
        /// "0.5-1", "1.5-2", ... : the labeler's score gap, chosen minus rejected.
        public let label: String
        public let pairs: Int
        public let accuracy: Double
        public let interval: RateInterval
    }
    public struct RankedPair: Sendable {
        public let comparison: Comparison
        public let rewardChosen: Double
        public let rewardRejected: Double
        public var margin: Double { rewardChosen - rewardRejected }
    }
    public let buckets: [GapBucket]
    /// Pearson correlation of the reward with the response length, over every answer.
    public let lengthCorrelation: Double
    public let worst: [RankedPair]

    /// The labeler's gap ranges of `buckets`: (low, high] in points (its scores move in steps
    /// of 0.5, so "1.5-2" holds the gaps 1.5 and 2).
    public static let gapEdges: [(label: String, low: Double, high: Double)] = [
        ("0.5-1", 0, 1), ("1.5-2", 1, 2), ("2.5-4", 2, 4), ("4.5-6", 4, 6), ("6.5+", 6, .infinity),
    ]

    /// `rewards[i]` are the reward model's scores of comparison i's chosen and rejected answers.
    public init(comparisons: [Comparison], rewards: [(chosen: Double, rejected: Double)], worstCount: Int = 2) {
        var gapBuckets: [GapBucket] = []
        for edge in RewardDiagnostics.gapEdges {
            let members = comparisons.indices.filter { i in
                guard let chosen = comparisons[i].chosenScore, let rejected = comparisons[i].rejectedScore else { return false }
                let gap = abs(chosen - rejected)
                return gap > edge.low && gap <= edge.high
            }
            guard !members.isEmpty else { continue }
            let right = members.filter { rewards[$0].chosen > rewards[$0].rejected }.count
            gapBuckets.append(GapBucket(label: edge.label, pairs: members.count, accuracy: Double(right) / Double(members.count),
                                        interval: wilsonInterval(successes: right, total: members.count)))
        }
        buckets = gapBuckets
        var lengths: [Double] = [], scores: [Double] = []
        for (comparison, reward) in zip(comparisons, rewards) {
            lengths += [Double(wordCount(comparison.chosen)), Double(wordCount(comparison.rejected))]
            scores += [reward.chosen, reward.rejected]
        }
        lengthCorrelation = pearsonCorrelation(lengths, scores)
        worst = zip(comparisons, rewards).map { RankedPair(comparison: $0, rewardChosen: $1.chosen, rewardRejected: $1.rejected) }
            .enumerated().sorted { ($0.element.margin, $0.offset) < ($1.element.margin, $1.offset) }
            .prefix(worstCount).map(\.element)
    }
}

/// Words before the end-of-text marker.
func wordCount(_ text: String) -> Int {
    text.split(separator: " ").prefix { $0 != "<|endoftext|>" }.count
}

/// Pearson's r = sum (x - mean x)(y - mean y) / sqrt(sum (x - mean x)^2 * sum (y - mean y)^2);
/// 0 when either side does not vary.
public func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(min(x.count, y.count))
    guard n > 1 else { return 0 }
    let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
    var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
    for (a, b) in zip(x, y) {
        covariance += (a - meanX) * (b - meanY)
        varianceX += (a - meanX) * (a - meanX)
        varianceY += (b - meanY) * (b - meanY)
    }
    guard varianceX > 0, varianceY > 0 else { return 0 }
    return covariance / (varianceX * varianceY).squareRoot()
}
