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
    let output = uninitializedFloats(m * n) { c in
        withPointers(a.data, b.data) { pa, pb in
            BLAS.sgemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: pa, b: pb, c: c)
        }
    }
    var shape = a.shape
    shape[shape.count - 1] = n
    return Tensor(shape: shape, data: output, parents: [a, b]) { out in
        withPointers(out.grad!, a.data, b.data) { dc, pa, pb in
            if a.requiresGrad {
                // dA[M, K] += dC[M, N] . B^T  (B [K, N])  or  dC . B  (B stored [N, K])
                a.accumulateGrad { da in
                    BLAS.sgemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n, a: dc, b: pb, beta: 1, c: da)
                }
            }
            if b.requiresGrad && transposeB {
                // dB[N, K] += dC^T [N, M] . A [M, K]
                b.accumulateGrad { db in
                    BLAS.sgemm(transposeA: true, transposeB: false, m: n, n: k, k: m, a: dc, b: pa, beta: 1, c: db)
                }
            } else if b.requiresGrad {
                // dB[K, N] += A^T [K, M] . dC [M, N]
                b.accumulateGrad { db in
                    BLAS.sgemm(transposeA: true, transposeB: false, m: k, n: n, k: m, a: pa, b: dc, beta: 1, c: db)
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
            withPointers(bias.data) { b in
                forEachPart(rows, workPerItem: outFeatures) { part in
                    for r in part { (y + r * outFeatures).initialize(from: b, count: outFeatures) }
                }
            }
        }
        // without a bias, beta = 0: sgemm sets every element without reading it
        withPointers(x.data, weight.data) { inp, w in
            BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: outFeatures, k: inFeatures,
                       a: inp, b: w, beta: bias == nil ? 0 : 1, c: y)
        }
    }
    var shape = x.shape
    shape[shape.count - 1] = outFeatures
    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor(shape: shape, data: output, parents: parents) { out in
        withPointers(out.grad!, x.data, weight.data) { dy, inp, w in
            if x.requiresGrad {
                // dx[N, in] += dy[N, out] . W^T
                x.accumulateGrad { dx in
                    BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: inFeatures, k: outFeatures,
                               a: dy, b: w, beta: 1, c: dx)
                }
            }
            if weight.requiresGrad {
                // dW[in, out] += x^T . dy
                weight.accumulateGrad { dw in
                    BLAS.sgemm(transposeA: true, transposeB: false, m: inFeatures, n: outFeatures, k: rows,
                               a: inp, b: dy, beta: 1, c: dw)
                }
            }
            if let bias, bias.requiresGrad {
                // db[o] += sum over rows of dy[r, o]
                bias.accumulateGrad { db in addColumnSums(of: dy, rows: rows, columns: outFeatures, into: db) }
            }
        }
    }
}
