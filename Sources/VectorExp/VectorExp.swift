import Foundation

// exp(x) for many floats at once, eight per step, with exactly the bits of `Foundation.exp`.
// This module alone is compiled for AVX2 and FMA (Package.swift); Numerics' `exp(_:into:count:)`
// calls it only on a CPU that has them (Exp.swift there).
//
// Softmax, cross-entropy, GELU and attention spend much of their time in exp: one call to the
// C library per number. Here eight numbers go through the same arithmetic side by side (SIMD),
// following the algorithm of glibc's expf (by Szabolcs Nagy, from ARM's optimized-routines; the
// variant glibc picks on a CPU with FMA, which is what this package is compiled for on x86-64):
//
//   k = round(x * 32 / ln 2),  r = x * 32 / ln 2 - k        (|r| <= 1/2)
//   exp(x) = 2^(k/32) * 2^(r/32)
//   2^(k/32) = 2^(k div 32) * 2^((k mod 32) / 32)           (a table of 32 doubles)
//   2^(r/32) ~ 1 + c2 r + c1 r^2 + c0 r^3                   (in double, then rounded to float)
//
// Every product-plus-sum is one fused multiply-add, as in glibc's compiled code, so each result
// is the float glibc returns (a test compares them over every float exponent). Inputs with
// |x| >= 88 (where exp over- or underflows), infinities and NaN take glibc's own path.

/// 32 / ln 2 (N = 32 table entries per power of two).
private let expScale: Double = 0x1.71547652b82fep+5
/// 1.5 * 2^52: adding it rounds a double to an integer, whose bits then hold k.
private let expShift: Double = 0x1.8p+52
/// Polynomial for 2^(r/32) - 1 = c2 r + c1 r^2 + c0 r^3.
private let expC0: Double = 0x1.c6af84b912394p-20
private let expC1: Double = 0x1.ebfce50fac4f3p-13
private let expC2: Double = 0x1.62e42ff0c52d6p-6

/// Bits of 2^(i/32) minus i << 47, for i = 0 ..< 32: adding k << 47 then gives the bits of
/// 2^(k/32) (the exponent field moves by k div 32).
private let expTable: [UInt64] = [
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
]

/// y[i] = exp(x[i]) for i in 0 ..< count (x and y may be the same array). Needs AVX2 and FMA.
public func vectorExp(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    expTable.withUnsafeBufferPointer { table in
        var i = 0
        while i + 8 <= count {
            let chunk = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            // |x| >= 88, infinities and NaN: the top bits of the float (sign left out) reach 0x42a
            let top = (unsafeBitCast(chunk, to: SIMD8<Int32>.self) &>> 20) & 0x7ff
            if (top &- 0x42a).max() >= 0 {
                for j in i..<(i + 8) { y[j] = Foundation.exp(x[j]) }
            } else {
                UnsafeMutableRawPointer(y + i).storeBytes(of: exp8(chunk, table), as: SIMD8<Float>.self)
            }
            i += 8
        }
        while i < count {
            y[i] = Foundation.exp(x[i])
            i += 1
        }
    }
}

/// exp of eight floats with |x| < 88, each exactly as glibc's expf computes it.
@inline(__always)
private func exp8(_ x: SIMD8<Float>, _ table: UnsafeBufferPointer<UInt64>) -> SIMD8<Float> {
    let xd = SIMD8<Double>(x)
    // z = x * 32 / ln 2; shifted = z + 1.5 * 2^52 rounds z to the integer k, held in its low bits
    let shifted = SIMD8<Double>(repeating: expShift).addingProduct(xd, expScale)
    let k = unsafeBitCast(shifted, to: SIMD8<UInt64>.self)
    let kd = shifted - expShift
    let r = (-kd).addingProduct(xd, expScale)               // z - k, fused
    // s = 2^(k/32): the table entry for k mod 32, with k div 32 added to the exponent
    var bits = SIMD8<UInt64>()
    for lane in 0..<8 { bits[lane] = table[Int(k[lane] & 31)] }
    let s = unsafeBitCast(bits &+ (k &<< 47), to: SIMD8<Double>.self)
    // 2^(r/32) ~ (c1 + c0 r) r^2 + (1 + c2 r)
    let high = SIMD8<Double>(repeating: expC1).addingProduct(r, expC0)
    let low = SIMD8<Double>(repeating: 1).addingProduct(r, expC2)
    let polynomial = low.addingProduct(high, r * r)
    return SIMD8<Float>(polynomial * s)
}
