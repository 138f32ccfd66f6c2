import Foundation

/// Our own seeded random number generator: xoshiro256** (Blackman and Vigna, 2018),
/// seeded through SplitMix64. The same seed gives the same stream on every machine and Swift
/// version, so lessons can print exact numbers. (The standard library's algorithms may change.)
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        // SplitMix64 turns one 64-bit seed into four well-mixed state words.
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [0, 1) as a Float, from the top 24 bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// Uniform integer in 0..<upperBound (Lemire's multiply-shift with rejection: no modulo bias).
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt(below:) needs a positive bound, got \(upperBound)")
        let bound = UInt64(upperBound)
        let threshold = (0 &- bound) % bound
        while true {
            let product = next().multipliedFullWidth(by: bound)
            if product.low >= threshold { return Int(product.high) }
        }
    }

    /// Standard normal N(0, 1) by the Box-Muller transform, computed in Double.
    public mutating func nextNormal() -> Float {
        let u1 = 1.0 - nextUniformDouble()   // in (0, 1], so log(u1) is finite
        let u2 = nextUniformDouble()
        return Float((-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2))
    }

    /// An index drawn with the given probabilities (which need not sum exactly to 1):
    /// the first i with cumulative(i) > u * total.
    public mutating func nextCategorical(_ probabilities: UnsafeBufferPointer<Float>) -> Int {
        var total = 0.0
        for p in probabilities { total += Double(p) }
        let target = nextUniformDouble() * total
        var cumulative = 0.0
        var lastPositive = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            cumulative += Double(p)
            lastPositive = i
            if target < cumulative { return i }
        }
        return lastPositive
    }

    public mutating func nextCategorical(_ probabilities: [Float]) -> Int {
        probabilities.withUnsafeBufferPointer { nextCategorical($0) }
    }

    /// Fisher-Yates shuffle with this generator.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            items.swapAt(i, j)
        }
    }
}
