import Foundation
import CCPUFeatures
import VectorExp

/// y[i] = exp(x[i]) for i in 0 ..< count (x and y may be the same array).
/// On a CPU with AVX2 and FMA, eight at a time (VectorExp, the same bits as the C library's
/// expf); elsewhere one `Foundation.exp` per number.
public func exp(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    if cpuCanRunVectorExp {
        vectorExp(x, into: y, count: count)
    } else {
        for i in 0..<count { y[i] = Foundation.exp(x[i]) }
    }
}

/// Asked once per process.
let cpuCanRunVectorExp = rlhf_cpu_has_avx2_fma() != 0
