// Matrix products, one cblas_sgemm call over all rows (never one call per row).

/// C = A B, with A [M, K] and B [K, N] (or B stored [N, K] when `transposeB`, as GPT-2's
/// tied LM head uses the token embedding [V, C]).
/// dA = dC B^T;  dB = A^T dC  (or dB = dC^T A when B is stored transposed).
public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) -> Tensor {
    let m = a.rows, k = a.columns
    let n = transposeB ? b.rows : b.columns
    precondition((transposeB ? b.columns : b.rows) == k,
                 "matmul: \(a.shape) times \(b.shape)\(transposeB ? "^T" : "") do not fit")
    // beta = 0: sgemm sets every element of C without reading it
    let output = uninitializedFloats(m * n) { pc in
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                BLAS.sgemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k,
                           a: pa.baseAddress!, b: pb.baseAddress!, c: pc)
            }
        }
    }
    var shape = a.shape
    shape[shape.count - 1] = n
    return Tensor(shape: shape, data: output, parents: [a, b]) { out in
        out.grad!.withUnsafeBufferPointer { dc in
            if a.requiresGrad {
                b.data.withUnsafeBufferPointer { pb in
                    a.accumulateGrad { da in
                        // dA[M, K] += dC[M, N] . B^T  (B [K, N])  or  dC . B  (B stored [N, K])
                        BLAS.sgemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                                   a: dc.baseAddress!, b: pb.baseAddress!, beta: 1, c: da)
                    }
                }
            }
            if b.requiresGrad {
                a.data.withUnsafeBufferPointer { pa in
                    b.accumulateGrad { db in
                        if transposeB {
                            // dB[N, K] += dC^T [N, M] . A [M, K]
                            BLAS.sgemm(transposeA: true, transposeB: false, m: n, n: k, k: m,
                                       a: dc.baseAddress!, b: pa.baseAddress!, beta: 1, c: db)
                        } else {
                            // dB[K, N] += A^T [K, M] . dC [M, N]
                            BLAS.sgemm(transposeA: true, transposeB: false, m: k, n: n, k: m,
                                       a: pa.baseAddress!, b: dc.baseAddress!, beta: 1, c: db)
                        }
                    }
                }
            }
        }
    }
}

/// A linear layer in Hugging Face's Conv1D layout (weight stored [in, out]):
/// y[N, out] = x[N, in] W[in, out] + b[out].
/// dx = dy W^T;  dW = x^T dy;  db = sum over rows of dy.
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
    let rows = x.rows, inFeatures = x.columns, outFeatures = weight.columns
    precondition(weight.rows == inFeatures && weight.shape.count == 2,
                 "linear: input \(x.shape) does not fit weight \(weight.shape)")
    if let bias { precondition(bias.count == outFeatures, "linear: bias \(bias.shape) for weight \(weight.shape)") }
    let output = uninitializedFloats(rows * outFeatures) { y in
        if let bias {
            // start every row at the bias, then add the product (beta = 1)
            bias.data.withUnsafeBufferPointer { b in
                forEachPart(rows, workPerItem: outFeatures) { part in
                    for r in part { (y + r * outFeatures).initialize(from: b.baseAddress!, count: outFeatures) }
                }
            }
        }
        // without a bias, beta = 0: sgemm sets every element without reading it
        x.data.withUnsafeBufferPointer { px in
            weight.data.withUnsafeBufferPointer { pw in
                BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: outFeatures, k: inFeatures,
                           a: px.baseAddress!, b: pw.baseAddress!, beta: bias == nil ? 0 : 1, c: y)
            }
        }
    }
    var shape = x.shape
    shape[shape.count - 1] = outFeatures
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor(shape: shape, data: output, parents: parents) { out in
        out.grad!.withUnsafeBufferPointer { dy in
            if x.requiresGrad {
                weight.data.withUnsafeBufferPointer { pw in
                    x.accumulateGrad { dx in
                        // dx[N, in] += dy[N, out] . W^T
                        BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: inFeatures,
                                   k: outFeatures, a: dy.baseAddress!, b: pw.baseAddress!, beta: 1, c: dx)
                    }
                }
            }
            if weight.requiresGrad {
                x.data.withUnsafeBufferPointer { px in
                    weight.accumulateGrad { dw in
                        // dW[in, out] += x^T . dy
                        BLAS.sgemm(transposeA: true, transposeB: false, m: inFeatures, n: outFeatures,
                                   k: rows, a: px.baseAddress!, b: dy.baseAddress!, beta: 1, c: dw)
                    }
                }
            }
            if let bias, bias.requiresGrad {
                // db[o] += sum over rows of dy[r, o]
                bias.accumulateGrad { db in addColumnSums(of: dy.baseAddress!, rows: rows, columns: outFeatures, into: db) }
            }
        }
    }
}
