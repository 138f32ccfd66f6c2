import Testing
import Numerics

/// The matrix-product attention against the loop version it was written from: same outputs and
/// gradients up to float32 rounding (tolerance 1e-5: only the order of the sums differs).
@Suite struct AttentionTests {
    @Test(arguments: [(1, 1, 4, 1), (2, 5, 8, 2), (3, 17, 12, 3), (2, 64, 64, 4)])
    func productsMatchLoops(batch: Int, time: Int, channels: Int, heads: Int) {
        var rng = RandomGenerator(seed: 41)
        let values = Tensor.randomNormal([batch * time, 3 * channels], std: 1, rng: &rng).data
        let upstream = Tensor.randomNormal([batch * time, channels], std: 1, rng: &rng)
        func run(_ attention: (Tensor, Int, Int, Int) -> Tensor) -> (output: [Float], gradient: [Float]) {
            let qkv = Tensor(shape: [batch * time, 3 * channels], data: values, requiresGrad: true)
            let output = attention(qkv, batch, time, heads)
            sum(output * upstream).backward()   // loss = sum(out * upstream): dout = upstream
            return (output.data, qkv.grad!)
        }
        let fast = run { causalSelfAttention($0, batch: $1, time: $2, heads: $3) }
        let loops = run { causalSelfAttentionLoops($0, batch: $1, time: $2, heads: $3) }
        let outputDifference = zip(fast.output, loops.output).map { abs($0 - $1) }.max()!
        let gradientDifference = zip(fast.gradient, loops.gradient).map { abs($0 - $1) }.max()!
        #expect(outputDifference < 1e-5, "largest output difference \(outputDifference)")
        #expect(gradientDifference < 1e-5, "largest gradient difference \(gradientDifference)")
    }

    /// Attention at chosen rows (loops) against the full matrix-product attention read at those rows.
    @Test(arguments: [(1, 1, 4, 1), (2, 5, 8, 2), (3, 17, 12, 3), (2, 64, 64, 4)])
    func atRowsMatchesAllRows(batch: Int, time: Int, channels: Int, heads: Int) {
        var rng = RandomGenerator(seed: 42)
        let values = Tensor.randomNormal([batch * time, 3 * channels], std: 1, rng: &rng).data
        let rows = Array(stride(from: time / 2, to: batch * time, by: Swift.max(1, time / 3)))
        let upstream = Tensor.randomNormal([rows.count, channels], std: 1, rng: &rng)
        func run(_ attention: (Tensor) -> Tensor) -> (output: [Float], gradient: [Float]) {
            let qkv = Tensor(shape: [batch * time, 3 * channels], data: values, requiresGrad: true)
            let output = attention(qkv)
            sum(output * upstream).backward()
            return (output.data, qkv.grad!)
        }
        let chosen = run { causalSelfAttention($0, batch: batch, time: time, heads: heads, atRows: rows) }
        let all = run { selectRows(causalSelfAttention($0, batch: batch, time: time, heads: heads), rows) }
        let outputDifference = zip(chosen.output, all.output).map { abs($0 - $1) }.max()!
        let gradientDifference = zip(chosen.gradient, all.gradient).map { abs($0 - $1) }.max()!
        #expect(outputDifference < 1e-5, "largest output difference \(outputDifference)")
        #expect(gradientDifference < 1e-5, "largest gradient difference \(gradientDifference)")
    }
}
