import Foundation
import Numerics

/// A 95% interval around a rate, so a student can tell a real difference from noise.
public struct RateInterval: Sendable, Equatable {
    public let low: Double
    public let high: Double

    public init(low: Double, high: Double) {
        self.low = low; self.high = high
    }

    /// True when the interval holds `value` (e.g. 0.5 for a model against itself).
    public func contains(_ value: Double) -> Bool { low <= value && value <= high }
}

/// Wilson score interval for a proportion of `successes` out of `total` (Wilson 1927):
///
///     p = successes / n,  z = 1.96 for 95%
///     centre = (p + z^2 / 2n) / (1 + z^2 / n)
///     half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
///
/// Unlike p ± z sqrt(p(1-p)/n) it stays inside [0, 1] and is not empty at p = 0 or 1.
public func wilsonInterval(successes: Int, total: Int, z: Double = 1.96) -> RateInterval {
    guard total > 0 else { return RateInterval(low: 0, high: 1) }
    let n = Double(total), p = Double(successes) / n
    let denominator = 1 + z * z / n
    let centre = (p + z * z / (2 * n)) / denominator
    let half = z / denominator * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
    return RateInterval(low: max(0, centre - half), high: min(1, centre + half))
}

/// Percentile bootstrap interval of a mean over groups (Efron 1979), resampling whole groups:
/// the samples of one prompt are alike, so the prompts, not the samples, are the independent
/// draws. Each of `resamples` rounds draws as many groups as there are, with replacement, and
/// takes the mean of all their values; the interval runs from the 2.5th to the 97.5th
/// percentile of those means. Seeded, so a lesson shows the same interval every time.
public func bootstrapInterval(groups: [[Double]], resamples: Int = 2000, seed: UInt64 = 2024) -> RateInterval {
    let nonEmpty = groups.filter { !$0.isEmpty }
    guard !nonEmpty.isEmpty else { return RateInterval(low: 0, high: 1) }
    let sums = nonEmpty.map { $0.reduce(0, +) }
    let counts = nonEmpty.map { Double($0.count) }
    var rng = RandomGenerator(seed: seed)
    var means: [Double] = []
    means.reserveCapacity(resamples)
    for _ in 0..<resamples {
        var total = 0.0, count = 0.0
        for _ in 0..<nonEmpty.count {
            let pick = rng.nextInt(below: nonEmpty.count)
            total += sums[pick]
            count += counts[pick]
        }
        means.append(total / count)
    }
    means.sort()
    func percentile(_ q: Double) -> Double { means[min(means.count - 1, max(0, Int((q * Double(means.count - 1)).rounded())))] }
    return RateInterval(low: percentile(0.025), high: percentile(0.975))
}
