import COpenBLAS

/// OpenBLAS: the library that multiplies our matrices.
///
/// OpenBLAS always runs one thread here, on the thread that calls it. With
/// `ComputeThreads.count` above 1, a large product is cut into blocks of rows (or columns) of C,
/// and the worker threads multiply the blocks at once, each with one OpenBLAS call.
public enum BLAS {
    /// Runs once, before the first product of the process: OpenBLAS itself would start with one
    /// thread per core (or OPENBLAS_NUM_THREADS), and its spinning threads would compete with ours.
    private static let runsOneThread: Void = { openblas_set_num_threads(1) }()

    /// The threads OpenBLAS itself uses: always 1 (`ComputeThreads` splits the products).
    public static var openBLASThreads: Int {
        _ = runsOneThread
        return Int(openblas_get_num_threads())
    }

    /// The CPU kernel OpenBLAS chose at run time, e.g. "Cooperlake".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build description, which begins with its version.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// C[M, N] = alpha * op(A) op(B) + beta * C, all row-major, where op(A) is [M, K] and op(B)
    /// is [K, N]; `transposeA` means A is stored [K, M], `transposeB` that B is stored [N, K].
    /// The leading dimensions (the distance between rows) default to packed rows; a larger one
    /// multiplies a block of columns inside a wider matrix (e.g. one head's q in qkv [T, 3C]).
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        _ = runsOneThread
        let lda = lda ?? (transposeA ? m : k)
        let ldb = ldb ?? (transposeB ? k : n)
        let ldc = ldc ?? n
        let split = ProductSplit(m: m, n: n, k: k, threads: ComputeThreads.current)
        guard split.parts > 1 else {
            sgemmOnOneThread(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        WorkerThreads.shared.run(parts: split.parts) { part in
            let block = split.block(part)
            if split.alongRows {
                // rows block of C = rows block of op(A) times op(B)
                let aBlock = transposeA ? a + block.lowerBound : a + block.lowerBound * lda
                sgemmOnOneThread(transposeA: transposeA, transposeB: transposeB, m: block.count, n: n, k: k,
                                 alpha: alpha, a: aBlock, lda: lda, b: b, ldb: ldb, beta: beta,
                                 c: c + block.lowerBound * ldc, ldc: ldc)
            } else {
                // columns block of C = op(A) times columns block of op(B)
                let bBlock = transposeB ? b + block.lowerBound * ldb : b + block.lowerBound
                sgemmOnOneThread(transposeA: transposeA, transposeB: transposeB, m: m, n: block.count, k: k,
                                 alpha: alpha, a: a, lda: lda, b: bBlock, ldb: ldb, beta: beta,
                                 c: c + block.lowerBound, ldc: ldc)
            }
        }
    }

    /// C[M, N] = A[M, K] B[K, N] (packed rows) on OpenBLAS's own threads instead of ours: the
    /// benchmark's raw sgemm figure, what OpenBLAS reaches by itself. OpenBLAS is back on one
    /// thread when it returns.
    public static func sgemmOnOpenBLASThreads(_ threads: Int, m: Int, n: Int, k: Int, a: UnsafePointer<Float>,
                                              b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        _ = runsOneThread
        openblas_set_num_threads(Int32(Swift.max(1, threads)))
        defer { openblas_set_num_threads(1) }
        sgemmOnOneThread(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                         a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n)
    }

    private static func sgemmOnOneThread(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }
}

/// How a product C[M, N] = A[M, K] B[K, N] is cut into blocks of rows or columns of C, one per
/// thread, so that each block computes its numbers exactly as the whole product would:
/// - every block starts at a multiple of 16 rows or columns, a whole number of OpenBLAS's
///   register tiles on x86-64 (16 x 4 for single precision), and
/// - every block has more than 100^3 multiply-adds, like the whole: OpenBLAS sends smaller
///   products to other kernels ("small matrix" kernels), which can round differently.
/// Each element of C is then one sum over K in the same order as on one thread (checked
/// over 1,500 random shapes, transposes and block sizes; tested in BLASTests). A product
/// too small for two such blocks is not split.
struct ProductSplit: Equatable {
    /// OpenBLAS sends products of at most this many multiply-adds to its small kernels.
    static let smallProduct = 100 * 100 * 100
    /// Blocks start at multiples of this.
    static let alignment = 16

    var parts = 1
    /// Split the rows of C (else its columns).
    var alongRows = true
    /// Rows (or columns) per block; the last block may be shorter.
    var blockSize = 0
    var length = 0

    init(m: Int, n: Int, k: Int, threads: Int) {
        guard threads > 1 else { return }
        // try the longer side first
        for alongRows in (m >= n ? [true, false] : [false, true]) {
            let length = alongRows ? m : n
            let multiplyAddsPerLine = (alongRows ? n : m) * k
            for parts in stride(from: threads, through: 2, by: -1) {
                let blockSize = (length + parts - 1) / parts
                let alignedSize = (blockSize + Self.alignment - 1) / Self.alignment * Self.alignment
                let actualParts = (length + alignedSize - 1) / alignedSize
                let lastSize = length - (actualParts - 1) * alignedSize
                guard actualParts > 1, lastSize * multiplyAddsPerLine > Self.smallProduct else { continue }
                self.parts = actualParts
                self.alongRows = alongRows
                self.blockSize = alignedSize
                self.length = length
                return
            }
        }
    }

    /// The rows (or columns) of block `part`.
    func block(_ part: Int) -> Range<Int> {
        let start = part * blockSize
        return start..<Swift.min(length, start + blockSize)
    }
}
