import Foundation
import Testing
@testable import Numerics

/// The eight-wide exp (VectorExp, called through Numerics.exp) returns the same bits as the C library's expf, so that
/// switching to it changed no number anywhere (lessons, fixtures, shipped models).
/// An exhaustive run over all 2^32 floats found no difference (2026-11-25, glibc 2.36, FMA);
/// this test checks every 509th bit pattern, which covers every exponent and sign.
@Suite struct ExpTests {
    func vectorExp(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in exp(px.baseAddress!, into: py.baseAddress!, count: x.count) }
        }
        return y
    }

    func expectSameBits(_ x: [Float]) {
        let y = vectorExp(x)
        var differences = 0
        for i in x.indices where y[i].bitPattern != Foundation.exp(x[i]).bitPattern && !(y[i].isNaN && Foundation.exp(x[i]).isNaN) {
            if differences < 5 { Issue.record("exp(\(x[i])): \(y[i]) here, \(Foundation.exp(x[i])) from the C library") }
            differences += 1
        }
        #expect(differences == 0)
    }

    @Test func sameBitsAsTheCLibraryAcrossAllFloats() {
        let stride: UInt64 = 509
        let block = 1 << 20
        var start: UInt64 = 0
        while start < 1 << 32 {
            let x = (0..<block).compactMap { i -> Float? in
                let bits = start + UInt64(i) * stride
                return bits < 1 << 32 ? Float(bitPattern: UInt32(bits)) : nil
            }
            expectSameBits(x)
            start += UInt64(block) * stride
        }
    }

    @Test func edgesAndSpecialValues() {
        // overflow and underflow thresholds, infinities, NaN, denormals, and their neighbours
        let edges: [Float] = [0, -0, 1, -1, 88, -88, 88.72283, 88.72284, -103.27893, -103.97208, -104,
                              .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                              .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-30, -1e-30]
        var x = edges
        for value in edges where value.isFinite { x += [value.nextUp, value.nextDown] }
        expectSameBits(x)
        #expect(vectorExp([-.infinity])[0] == 0)
        #expect(vectorExp([.infinity])[0] == .infinity)
    }

    @Test func anyCountAndInPlace() {
        // counts that are not multiples of eight take the last few numbers one by one
        for count in [0, 1, 7, 8, 9, 17, 100] {
            let x = (0..<count).map { Float($0) * 0.37 - 12 }
            expectSameBits(x)
            var y = x
            y.withUnsafeMutableBufferPointer { exp($0.baseAddress!, into: $0.baseAddress!, count: count) }
            #expect(y.map(\.bitPattern) == x.map { Foundation.exp($0).bitPattern })
        }
    }

    @Test func geluUsesTheSameGateAsOneNumberAtATime() {
        // gelu's eight-wide path against geluForward (one C-library exp per number), from -100 to 100
        let x = (0..<2001).map { Float($0) * 0.1 - 100 }
        let y = gelu(Tensor(shape: [x.count], data: x)).data
        #expect(y.map(\.bitPattern) == x.map { geluForward($0).bitPattern })
        // the in-place version the sampler uses
        var z = x
        z.withUnsafeMutableBufferPointer { geluForward($0.baseAddress!, into: $0.baseAddress!, count: x.count) }
        #expect(z.map(\.bitPattern) == y.map(\.bitPattern))
    }
}
