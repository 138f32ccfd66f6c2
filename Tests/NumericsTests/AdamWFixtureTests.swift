import Foundation
import Testing
import Numerics

/// AdamW (and global-norm clipping) against numbers from torch.optim.AdamW,
/// made by tools/make_fixtures.py. Tolerance: 1e-6 relative (floored at 1e-6 absolute).
@Suite struct AdamWFixtureTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            struct Initial: Decodable { let shape: [Int]; let data: [Double] }
            struct Step: Decodable {
                let grads: [[Double]]
                let total_norm: Double?
                let clipped_grads: [[Double]]?
                let params_after: [[Double]]
            }
            let name: String
            let lr: Float, beta1: Float, beta2: Float, eps: Float, weight_decay: Float
            let clip_max_norm: Float?
            let initial: [Initial]
            let steps: [Step]
        }
        let cases: [Case]
    }

    @Test func matchesTorch() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/adamw.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(fixture.cases.count == 3)
        for testCase in fixture.cases {
            let parameters = testCase.initial.map {
                Tensor(shape: $0.shape, data: $0.data.map(Float.init), requiresGrad: true)
            }
            let adam = AdamW(parameters: parameters, learningRate: testCase.lr, beta1: testCase.beta1,
                             beta2: testCase.beta2, epsilon: testCase.eps, weightDecay: testCase.weight_decay)
            var largest = 0.0
            for (stepIndex, step) in testCase.steps.enumerated() {
                for (p, g) in zip(parameters, step.grads) {
                    p.zeroGrad()
                    p.accumulateGrad { pointer in for i in 0..<g.count { pointer[i] = Float(g[i]) } }
                }
                if let maxNorm = testCase.clip_max_norm {
                    let total = clipGradientNorm(parameters, maxNorm: maxNorm)
                    #expect(abs(total - step.total_norm!) <= 1e-6 * max(1, step.total_norm!))
                }
                adam.step()
                for (p, expected) in zip(parameters, step.params_after) {
                    for i in 0..<expected.count {
                        let difference = abs(Double(p.data[i]) - expected[i])
                        largest = max(largest, difference / max(abs(expected[i]), 1))
                        #expect(difference <= 1e-6 * max(abs(expected[i]), 1),
                                "\(testCase.name) step \(stepIndex + 1) element \(i): \(p.data[i]) vs \(expected[i])")
                    }
                }
            }
            print("adamw \(testCase.name): largest relative difference \(largest)")
        }
    }
}
