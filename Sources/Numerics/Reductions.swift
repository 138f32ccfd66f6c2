// Sums, means and reshapes.

/// y = sum_i x_i  -> shape [1];  dy/dx_i = 1
public func sum(_ x: Tensor) -> Tensor {
    var total = 0.0
    for v in x.data { total += Double(v) }
    return Tensor(shape: [1], data: [Float(total)], parents: [x]) { out in
        let g = out.grad![0]
        x.accumulateGrad { dx in for i in 0..<x.count { dx[i] += g } }
    }
}

/// y = (1/n) sum_i x_i  -> shape [1];  dy/dx_i = 1/n
public func mean(_ x: Tensor) -> Tensor {
    scale(sum(x), by: 1 / Float(x.count))
}

/// y[r] = sum_c x[r, c]  -> shape [rows];  dy[r]/dx[r, c] = 1
public func sumRows(_ x: Tensor) -> Tensor {
    let (rows, columns) = (x.rows, x.columns)
    var output = [Float](repeating: 0, count: rows)
    for r in 0..<rows {
        var total: Float = 0
        for c in 0..<columns { total += x.data[r * columns + c] }
        output[r] = total
    }
    return Tensor(shape: [rows], data: output, parents: [x]) { out in
        let dout = out.grad!
        x.accumulateGrad { dx in
            for r in 0..<rows { for c in 0..<columns { dx[r * columns + c] += dout[r] } }
        }
    }
}

/// sums[c] += sum over r of x[r, c], each column added in row order; the columns are split
/// across threads (a bias gradient: the sum of dy over rows).
func addColumnSums(of x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    forEachPart(columns, workPerItem: rows) { part in
        for r in 0..<rows {
            let row = x + r * columns
            for c in part { sums[c] += row[c] }
        }
    }
}

/// The same numbers seen with another shape; the gradient passes through unchanged.
public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
    precondition(shape.reduce(1, *) == x.count, "reshape: \(x.shape) cannot become \(shape)")
    return Tensor(shape: shape, data: x.data, parents: [x]) { out in
        let dout = out.grad!
        x.accumulateGrad { dx in for i in 0..<x.count { dx[i] += dout[i] } }
    }
}

/// y[i, :] = x[rows[i], :] (rows of a [R, C] tensor; the same row may be picked twice);
/// backward adds each output row's gradient into the row it came from.
public func selectRows(_ x: Tensor, _ rows: [Int]) -> Tensor {
    let columns = x.columns
    var output = [Float](repeating: 0, count: rows.count * columns)
    for (i, r) in rows.enumerated() {
        precondition(r >= 0 && r < x.rows, "selectRows: row \(r) outside 0..<\(x.rows)")
        for c in 0..<columns { output[i * columns + c] = x.data[r * columns + c] }
    }
    return Tensor(shape: [rows.count, columns], data: output, parents: [x]) { out in
        let dout = out.grad!
        x.accumulateGrad { dx in
            for (i, r) in rows.enumerated() {
                for c in 0..<columns { dx[r * columns + c] += dout[i * columns + c] }
            }
        }
    }
}

/// y[rows[i], :] = x[i, :] in a tensor of `count` rows, every other row of y 0: the opposite of
/// `selectRows` (each row may be named once); backward: dx[i, :] += dy[rows[i], :].
public func placeRows(_ x: Tensor, at rows: [Int], count: Int) -> Tensor {
    let columns = x.columns
    precondition(rows.count == x.rows, "placeRows: \(rows.count) places for \(x.rows) rows")
    precondition(Set(rows).count == rows.count, "placeRows: a row is named twice")
    var output = [Float](repeating: 0, count: count * columns)
    for (i, r) in rows.enumerated() {
        precondition(r >= 0 && r < count, "placeRows: row \(r) outside 0..<\(count)")
        for c in 0..<columns { output[r * columns + c] = x.data[i * columns + c] }
    }
    return Tensor(shape: [count, columns], data: output, parents: [x]) { out in
        let dout = out.grad!
        x.accumulateGrad { dx in
            for (i, r) in rows.enumerated() {
                for c in 0..<columns { dx[i * columns + c] += dout[r * columns + c] }
            }
        }
    }
}
