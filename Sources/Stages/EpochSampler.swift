import Numerics

/// Draws minibatches by walking through the examples in a shuffled order, and reshuffling when
/// an epoch is done, so every example is seen once per epoch. A stage keeps a copy and commits
/// the advanced sampler only when its step succeeds.
struct EpochSampler {
    var rng: RandomGenerator
    var order: [Int] = []

    init(seed: UInt64) { rng = RandomGenerator(seed: seed) }

    /// The indices (in 0..<count) of the next `size` examples (all of them if fewer).
    mutating func nextBatch(size: Int, count: Int) -> [Int] {
        var batch: [Int] = []
        for _ in 0..<min(size, count) {
            if order.isEmpty {
                order = Array(0..<count)
                rng.shuffle(&order)
            }
            batch.append(order.removeLast())
        }
        return batch
    }
}
