// Raw pointers for the kernels, taken once per call.
//
// A kernel reads like llm.c's C: base pointers, then flat loops over `inp[r * C + c]`. Swift
// hands out an array's base pointer only inside a closure (`withUnsafeBufferPointer`), and one
// closure per array nests a kernel many levels deep. These helpers take the pointers of several
// arrays at once and hand them to one closure:
//
//     withPointers(x.data, weight.data, bias.data) { inp, weight, bias in
//         layerNormForward(out, xhat, rstd, inp, weight, bias, rows: rows, channels: channels, epsilon: epsilon)
//     }
//
// The pointers are valid only inside the closure. They change no number: the loops see the same
// memory that `array[i]` would.

/// The base pointers of arrays that are only read.
@inline(__always)
func withPointers<A, R>(_ a: [A], _ body: (UnsafePointer<A>) throws -> R) rethrows -> R {
    try a.withUnsafeBufferPointer { a in try body(a.baseAddress!) }
}

@inline(__always)
func withPointers<A, B, R>(_ a: [A], _ b: [B], _ body: (UnsafePointer<A>, UnsafePointer<B>) throws -> R) rethrows -> R {
    try a.withUnsafeBufferPointer { a in
        try b.withUnsafeBufferPointer { b in try body(a.baseAddress!, b.baseAddress!) }
    }
}

@inline(__always)
func withPointers<A, B, C, R>(_ a: [A], _ b: [B], _ c: [C],
                              _ body: (UnsafePointer<A>, UnsafePointer<B>, UnsafePointer<C>) throws -> R) rethrows -> R {
    try a.withUnsafeBufferPointer { a in
        try b.withUnsafeBufferPointer { b in
            try c.withUnsafeBufferPointer { c in try body(a.baseAddress!, b.baseAddress!, c.baseAddress!) }
        }
    }
}

@inline(__always)
func withPointers<A, B, C, D, R>(
    _ a: [A], _ b: [B], _ c: [C], _ d: [D],
    _ body: (UnsafePointer<A>, UnsafePointer<B>, UnsafePointer<C>, UnsafePointer<D>) throws -> R
) rethrows -> R {
    try withPointers(a, b) { a, b in
        try withPointers(c, d) { c, d in try body(a, b, c, d) }
    }
}

/// The base pointers of arrays that are written in place.
@inline(__always)
func withMutablePointers<A, R>(_ a: inout [A], _ body: (UnsafeMutablePointer<A>) throws -> R) rethrows -> R {
    try a.withUnsafeMutableBufferPointer { a in try body(a.baseAddress!) }
}

@inline(__always)
func withMutablePointers<A, B, C, D, R>(
    _ a: inout [A], _ b: inout [B], _ c: inout [C], _ d: inout [D],
    _ body: (UnsafeMutablePointer<A>, UnsafeMutablePointer<B>, UnsafeMutablePointer<C>, UnsafeMutablePointer<D>) throws -> R
) rethrows -> R {
    try a.withUnsafeMutableBufferPointer { a in
        try b.withUnsafeMutableBufferPointer { b in
            try c.withUnsafeMutableBufferPointer { c in
                try d.withUnsafeMutableBufferPointer { d in
                    try body(a.baseAddress!, b.baseAddress!, c.baseAddress!, d.baseAddress!)
                }
            }
        }
    }
}

/// Two new arrays of `countA` and `countB` floats that `initialize` fills, every element of
/// both: a kernel's outputs (e.g. LayerNorm's `out` and the `xhat` it keeps for backward),
/// without zero-filling first. See `uninitializedFloats(_:_:)`.
@inline(__always)
func uninitializedFloats(_ countA: Int, _ countB: Int,
                         _ initialize: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> ([Float], [Float]) {
    var b: [Float] = []
    let a = uninitializedFloats(countA) { a in
        b = uninitializedFloats(countB) { b in initialize(a, b) }
    }
    return (a, b)
}

/// Three new arrays that `initialize` fills completely (see the two-array form).
@inline(__always)
func uninitializedFloats(_ countA: Int, _ countB: Int, _ countC: Int,
                         _ initialize: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                        UnsafeMutablePointer<Float>) -> Void) -> ([Float], [Float], [Float]) {
    var c: [Float] = []
    let (a, b) = uninitializedFloats(countA, countB) { a, b in
        c = uninitializedFloats(countC) { c in initialize(a, b, c) }
    }
    return (a, b, c)
}
